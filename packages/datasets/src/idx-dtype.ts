/** Element types of the IDX format, by their name here. */
export type IdxDtype = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

/** The typed array holding each dtype's values (native byte order, after decoding big-endian data). */
export interface IdxDataByDtype {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** A decoded IDX array: `data` holds `shape`'s product of elements in row-major order. */
export type IdxArray = {
  [D in IdxDtype]: { dtype: D; shape: number[]; data: IdxDataByDtype[D] };
}[IdxDtype];

/** What `writeIdx` accepts: an IdxArray whose shape may be read-only. */
export type IdxArrayInput = {
  [D in IdxDtype]: { dtype: D; shape: readonly number[]; data: IdxDataByDtype[D] };
}[IdxDtype];

interface DtypeInfo {
  code: number;
  bytes: number;
}

/** Type byte (third byte of the magic number) and element size of each dtype, from the IDX spec. */
export const IDX_DTYPES: Readonly<Record<IdxDtype, DtypeInfo>> = {
  uint8: { code: 0x08, bytes: 1 },
  int8: { code: 0x09, bytes: 1 },
  int16: { code: 0x0b, bytes: 2 },
  int32: { code: 0x0c, bytes: 4 },
  float32: { code: 0x0d, bytes: 4 },
  float64: { code: 0x0e, bytes: 8 },
};

export function dtypeFromCode(code: number): IdxDtype | undefined {
  for (const [name, info] of Object.entries(IDX_DTYPES)) if (info.code === code) return name as IdxDtype;
  return undefined;
}

export function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}
