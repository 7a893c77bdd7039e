import { FormatError } from "./errors.js";
import {
  asArray,
  asInteger,
  asObject,
  asOneOf,
  asString,
  checkJsonDepth,
  describe,
  fail,
  findDuplicateKey,
} from "./json-check.js";
import { LITTLE_ENDIAN } from "./container.js";
import { LIMITS } from "./limits.js";
import { booleanOption, capOption, checkOptions } from "./options.js";

// safetensors (Hugging Face): an 8-byte little-endian header length N, N bytes of UTF-8 JSON
// mapping tensor names to { dtype, shape, data_offsets: [begin, end] } (offsets relative to the
// byte after the header) plus an optional "__metadata__" map of strings, then the tensor bytes.
// The byte buffer must be covered exactly by the tensors, without holes or overlaps.

export type SafetensorsDType =
  | "BOOL"
  | "U8"
  | "I8"
  | "F8_E5M2"
  | "F8_E4M3"
  | "I16"
  | "U16"
  | "F16"
  | "BF16"
  | "I32"
  | "U32"
  | "F32"
  | "F64"
  | "I64"
  | "U64";

/** Every dtype, in the reference implementation's order (increasing alignment). */
export const SAFETENSORS_DTYPES: readonly SafetensorsDType[] = [
  "BOOL",
  "U8",
  "I8",
  "F8_E5M2",
  "F8_E4M3",
  "I16",
  "U16",
  "F16",
  "BF16",
  "I32",
  "U32",
  "F32",
  "F64",
  "I64",
  "U64",
];

/**
 * The typed array holding each dtype's elements. Types JavaScript has no array for keep their raw
 * bits: F16/BF16 in a Uint16Array, F8 variants in a Uint8Array; BOOL is a Uint8Array of 0/1.
 */
export interface SafetensorsArrays {
  BOOL: Uint8Array;
  U8: Uint8Array;
  I8: Int8Array;
  F8_E5M2: Uint8Array;
  F8_E4M3: Uint8Array;
  I16: Int16Array;
  U16: Uint16Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I32: Int32Array;
  U32: Uint32Array;
  F32: Float32Array;
  F64: Float64Array;
  I64: BigInt64Array;
  U64: BigUint64Array;
}

export type SafetensorsTensor = {
  [D in SafetensorsDType]: {
    readonly dtype: D;
    readonly shape: readonly number[];
    readonly data: SafetensorsArrays[D];
  };
}[SafetensorsDType];

export interface SafetensorsFile {
  /** Tensors by name, in file (data offset) order. */
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  /** The `__metadata__` string map (empty when absent); a null-prototype object. */
  readonly metadata: Readonly<Record<string, string>>;
}

type ArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

const ARRAYS: Record<SafetensorsDType, ArrayCtor> = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  F8_E5M2: Uint8Array,
  F8_E4M3: Uint8Array,
  I16: Int16Array,
  U16: Uint16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  F32: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
};

/** Bytes per element of a safetensors dtype. */
export function safetensorsDTypeSize(dtype: SafetensorsDType): number {
  return ARRAYS[dtype].BYTES_PER_ELEMENT;
}

export interface SafetensorsReadOptions {
  /** Copy each tensor instead of viewing the input bytes where aligned (default false). */
  readonly copy?: boolean;
  /** Cap on the JSON header in bytes: an integer in [2, 2⁵³ − 1] (default 100 000 000, as in the reference implementation). */
  readonly maxHeaderBytes?: number;
  /** Cap on the nesting depth of the JSON header: an integer in [1, 10 000] (default 64; valid headers nest 3 deep). */
  readonly maxHeaderDepth?: number;
}

const DEFAULT_MAX_HEADER = 100_000_000;
const MAX_TENSORS = 1_048_576;
const METADATA_KEY = "__metadata__";

/** Decodes `n` little-endian elements at `bytes[at…]` into a fresh array (big-endian hosts). */
function decodeLE(bytes: Uint8Array, at: number, Ctor: ArrayCtor, n: number): SafetensorsTensor["data"] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, n * Ctor.BYTES_PER_ELEMENT);
  const out = new Ctor(n);
  const size = Ctor.BYTES_PER_ELEMENT;
  for (let i = 0; i < n; i++) {
    const o = i * size;
    if (Ctor === Float32Array) out[i] = view.getFloat32(o, true);
    else if (Ctor === Float64Array) out[i] = view.getFloat64(o, true);
    else if (Ctor === BigInt64Array) (out as BigInt64Array)[i] = view.getBigInt64(o, true);
    else if (Ctor === BigUint64Array) (out as BigUint64Array)[i] = view.getBigUint64(o, true);
    else if (size === 4) out[i] = view.getUint32(o, true);
    else if (size === 2) out[i] = view.getUint16(o, true);
    else out[i] = view.getUint8(o);
  }
  return out as SafetensorsTensor["data"];
}

interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * Reads and validates a safetensors file: header length within the cap and the input; UTF-8 JSON
 * object starting with `{`; string-only `__metadata__`; known dtypes; shapes of non-negative
 * integers; each byte range exactly dtype size × elements; ranges that tile the data section from
 * 0 to its end with no hole or overlap; BOOL bytes 0/1. Throws FormatError.
 */
export function readSafetensors(bytes: Uint8Array, options?: SafetensorsReadOptions): SafetensorsFile {
  const o = checkOptions<SafetensorsReadOptions>(options, "options", [
    "copy",
    "maxHeaderBytes",
    "maxHeaderDepth",
  ]);
  const copy = booleanOption(o.copy, "options.copy", false);
  const cap = capOption(
    o.maxHeaderBytes,
    "options.maxHeaderBytes",
    DEFAULT_MAX_HEADER,
    2,
    Number.MAX_SAFE_INTEGER,
  );
  const maxDepth = capOption(o.maxHeaderDepth, "options.maxHeaderDepth", LIMITS.maxHeaderDepth, 1, 10_000);
  if (!(bytes instanceof Uint8Array))
    throw new FormatError("INVALID_ARGUMENT", "bytes: expected a Uint8Array");
  if (bytes.length < 8)
    throw new FormatError(
      "TRUNCATED",
      `safetensors: ${bytes.length} bytes, the 8-byte header length is missing`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLength = hi >= 2 ** 21 ? Number.POSITIVE_INFINITY : hi * 2 ** 32 + lo;
  if (headerLength > cap)
    throw new FormatError(
      "TOO_LARGE",
      `safetensors header length (offset 0): ${headerLength} bytes exceed the cap of ${cap} (option maxHeaderBytes)`,
    );
  if (8 + headerLength > bytes.length) {
    throw new FormatError(
      "TRUNCATED",
      `safetensors header length (offset 0): ${headerLength} bytes declared, ${bytes.length - 8} present`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      bytes.subarray(8, 8 + headerLength),
    );
  } catch {
    throw new FormatError("BAD_HEADER", "safetensors header (offset 8): not valid UTF-8");
  }
  if (!text.startsWith("{"))
    throw new FormatError("BAD_HEADER", "safetensors header (offset 8): must start with '{'");
  checkJsonDepth(text, maxDepth, "safetensors header (offset 8)");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError(
      "BAD_HEADER",
      `safetensors header (offset 8): not valid JSON (${(e as Error).message})`,
    );
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new FormatError(
      "BAD_HEADER",
      `safetensors header (offset 8): member ${JSON.stringify(duplicate)} appears twice in one object`,
    );
  }
  const top = asObject(json, "safetensors header", "BAD_HEADER");
  const names = Object.keys(top);
  if (names.length > MAX_TENSORS + 1)
    fail("TOO_LARGE", "safetensors header", `${names.length} entries exceed the cap of ${MAX_TENSORS}`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const name of names) {
    const value = top[name];
    if (name === METADATA_KEY) {
      const m = asObject(value, METADATA_KEY, "BAD_HEADER");
      for (const key of Object.keys(m))
        metadata[key] = asString(
          m[key],
          `${METADATA_KEY}[${JSON.stringify(key)}]`,
          "BAD_HEADER",
          Number.MAX_SAFE_INTEGER,
        );
      continue;
    }
    const path = `tensor ${JSON.stringify(name)}`;
    const o = asObject(value, path, "BAD_TENSOR");
    const dtype = asOneOf(o["dtype"], `${path}.dtype`, "BAD_TENSOR", SAFETENSORS_DTYPES);
    const dims = asArray(o["shape"], `${path}.shape`, "BAD_TENSOR", 64);
    const shape = dims.map((d, i) =>
      asInteger(d, `${path}.shape[${i}]`, "BAD_TENSOR", 0, Number.MAX_SAFE_INTEGER),
    );
    const offsets = asArray(o["data_offsets"], `${path}.data_offsets`, "BAD_TENSOR", 2);
    if (offsets.length !== 2)
      fail(
        "BAD_TENSOR",
        `${path}.data_offsets`,
        `expected [begin, end], got ${describe(offsets)} of length ${offsets.length}`,
      );
    const begin = asInteger(offsets[0], `${path}.data_offsets[0]`, "BAD_TENSOR", 0, dataLength);
    const end = asInteger(offsets[1], `${path}.data_offsets[1]`, "BAD_TENSOR", begin, dataLength);
    // Elements × size must equal the range; compare step by step so huge shapes cannot overflow.
    let bytesNeeded = ARRAYS[dtype].BYTES_PER_ELEMENT;
    if (!shape.includes(0)) {
      for (const d of shape) {
        bytesNeeded *= d;
        if (bytesNeeded > dataLength)
          fail(
            "BAD_TENSOR",
            `${path}.shape`,
            `[${shape.join(", ")}] of ${dtype} needs more than the ${dataLength}-byte data section`,
          );
      }
    } else bytesNeeded = 0;
    if (end - begin !== bytesNeeded) {
      fail(
        "BAD_TENSOR",
        `${path}.data_offsets`,
        `[${begin}, ${end}) holds ${end - begin} bytes, ${dtype} [${shape.join(", ")}] takes ${bytesNeeded}`,
      );
    }
    entries.push({ name, dtype, shape, begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) {
      fail(
        "BAD_TENSOR",
        `tensor ${JSON.stringify(e.name)}.data_offsets`,
        e.begin > expected
          ? `starts at ${e.begin}, leaving bytes [${expected}, ${e.begin}) unused`
          : `starts at ${e.begin}, overlapping the previous tensor (ends at ${expected})`,
      );
    }
    expected = e.end;
  }
  if (expected !== dataLength)
    fail("BAD_TENSOR", "safetensors data", `tensors cover ${expected} of its ${dataLength} bytes`);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const Ctor = ARRAYS[e.dtype];
    const at = dataStart + e.begin;
    const n = (e.end - e.begin) / Ctor.BYTES_PER_ELEMENT;
    let data: SafetensorsTensor["data"];
    if (!LITTLE_ENDIAN && Ctor.BYTES_PER_ELEMENT > 1) data = decodeLE(bytes, at, Ctor, n);
    else if (!copy && (bytes.byteOffset + at) % Ctor.BYTES_PER_ELEMENT === 0) {
      data = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, n) as SafetensorsTensor["data"];
    } else data = new Ctor(bytes.slice(at, e.end + dataStart).buffer) as SafetensorsTensor["data"];
    if (e.dtype === "BOOL") {
      const bad = (data as Uint8Array).findIndex((b) => b > 1);
      if (bad >= 0)
        fail(
          "BAD_TENSOR",
          `tensor ${JSON.stringify(e.name)}`,
          `BOOL element ${bad} is ${data[bad]}, expected 0 or 1`,
        );
    }
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data } as SafetensorsTensor);
  }
  return { tensors, metadata };
}

/** What `writeSafetensors` accepts: tensors by name (a Map or a plain object). */
export type SafetensorsInput =
  | ReadonlyMap<string, SafetensorsTensor>
  | Readonly<Record<string, SafetensorsTensor>>;

function checkInputTensor(name: string, t: unknown): SafetensorsTensor {
  const path = `tensor ${JSON.stringify(name)}`;
  if (name === METADATA_KEY)
    fail("INVALID_ARGUMENT", path, `"${METADATA_KEY}" is reserved for the metadata map`);
  const o = asObject(t, path, "BAD_TENSOR");
  const dtype = asOneOf(o["dtype"], `${path}.dtype`, "BAD_TENSOR", SAFETENSORS_DTYPES);
  const dims = asArray(o["shape"], `${path}.shape`, "BAD_TENSOR", 64);
  const shape = dims.map((d, i) =>
    asInteger(d, `${path}.shape[${i}]`, "BAD_TENSOR", 0, Number.MAX_SAFE_INTEGER),
  );
  const Ctor = ARRAYS[dtype];
  const data = o["data"];
  if (!(data instanceof Ctor))
    fail("BAD_TENSOR", `${path}.data`, `expected a ${Ctor.name} for ${dtype}, got ${describe(data)}`);
  const elements = shape.reduce((a, b) => a * b, 1);
  if (data.length !== elements)
    fail(
      "BAD_TENSOR",
      `${path}.data`,
      `${data.length} elements for shape [${shape.join(", ")}] (${elements})`,
    );
  if (dtype === "BOOL" && (data as Uint8Array).some((b) => b > 1))
    fail("BAD_TENSOR", `${path}.data`, "BOOL elements must be 0 or 1");
  return { dtype, shape, data } as SafetensorsTensor;
}

/**
 * Serializes tensors (and an optional string map stored as `__metadata__`) to safetensors bytes,
 * laid out as the reference implementation does: tensors sorted by decreasing dtype alignment, then
 * by name; the JSON header padded with spaces to a multiple of 8 bytes, so every tensor is aligned
 * to its element size. Deterministic.
 */
export function writeSafetensors(
  tensors: SafetensorsInput,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const list: [string, SafetensorsTensor][] = [];
  const source: Iterable<[string, unknown]> =
    tensors instanceof Map ? tensors : Object.entries(asObject(tensors, "tensors", "INVALID_ARGUMENT"));
  for (const [name, t] of source) list.push([name, checkInputTensor(name, t)]);
  const rank = (d: SafetensorsDType) => SAFETENSORS_DTYPES.indexOf(d);
  list.sort(([an, a], [bn, b]) => rank(b.dtype) - rank(a.dtype) || (an < bn ? -1 : an > bn ? 1 : 0));

  // Built by hand so keys keep this order (a JS object would move integer-like names first).
  const parts: string[] = [];
  if (metadata !== undefined) {
    const m = asObject(metadata, "metadata", "INVALID_ARGUMENT");
    const fields = Object.keys(m).map(
      (k) =>
        `${JSON.stringify(k)}:${JSON.stringify(asString(m[k], `metadata[${JSON.stringify(k)}]`, "INVALID_ARGUMENT", Number.MAX_SAFE_INTEGER))}`,
    );
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${fields.join(",")}}`);
  }
  let offset = 0;
  for (const [name, t] of list) {
    const begin = offset;
    offset += t.data.byteLength;
    parts.push(
      `${JSON.stringify(name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [begin, offset] })}`,
    );
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of list) {
    const d = t.data;
    if (LITTLE_ENDIAN || d.BYTES_PER_ELEMENT === 1)
      out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    else {
      const dv = new DataView(out.buffer, at, d.byteLength);
      const size = d.BYTES_PER_ELEMENT;
      for (let i = 0; i < d.length; i++) {
        const x = d[i]!;
        if (d instanceof Float32Array) dv.setFloat32(i * size, x as number, true);
        else if (d instanceof Float64Array) dv.setFloat64(i * size, x as number, true);
        else if (d instanceof BigInt64Array) dv.setBigInt64(i * size, x as bigint, true);
        else if (d instanceof BigUint64Array) dv.setBigUint64(i * size, x as bigint, true);
        else if (size === 4) dv.setUint32(i * size, x as number, true);
        else dv.setUint16(i * size, x as number, true);
      }
    }
    at += d.byteLength;
  }
  return out;
}
