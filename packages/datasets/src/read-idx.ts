import { DatasetError, assertCount } from "./errors.js";
import { type IdxArray, type IdxDtype, IDX_DTYPES, dtypeFromCode, hex } from "./idx-dtype.js";

export interface IdxReadOptions {
  /** Refuse data larger than this many bytes before allocating anything. Default 1 GiB. */
  maxBytes?: number;
  /** Refuse headers with more dimensions than this. Default 16 (the format allows up to 255). */
  maxDims?: number;
}

/** What the header of an IDX file declares, validated against the caps. */
export interface IdxHeader {
  dtype: IdxDtype;
  shape: number[];
  /** Size of the magic number and dimension list: 4 + 4·ndims. The data starts here. */
  headerBytes: number;
  /** Bytes of data the shape declares: product(shape) · element size. */
  dataBytes: number;
  elementCount: number;
  /** Bytes of one element. */
  elementBytes: number;
}

const DEFAULT_MAX_BYTES = 2 ** 30;
const DEFAULT_MAX_DIMS = 16;

/**
 * Validates the magic number and dimension list at the start of `bytes` (which may hold just the
 * header). Throws `DatasetError` naming the problem and its byte offset.
 */
export function readIdxHeader(bytes: Uint8Array, options: IdxReadOptions = {}): IdxHeader {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDims = options.maxDims ?? DEFAULT_MAX_DIMS;
  // A NaN or negative cap would compare false everywhere and turn the check off.
  assertCount(maxBytes, "IDX option maxBytes", 1);
  assertCount(maxDims, "IDX option maxDims", 0);
  // JavaScript callers can pass anything; a string would otherwise be read character by character.
  if (!(bytes instanceof Uint8Array)) {
    const got =
      bytes === null
        ? "null"
        : typeof bytes === "object"
          ? (bytes as object).constructor?.name
          : typeof bytes;
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `IDX: expected the file's bytes as a Uint8Array (or Buffer), got ${got}` +
        (got === "ArrayBuffer" ? ": wrap it in new Uint8Array(buffer)" : ""),
    );
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new DatasetError(
      "BAD_MAGIC",
      "IDX: the bytes start with 0x1f 0x8b, the gzip signature: decompress them first " +
        "(node:zlib gunzipSync, or DecompressionStream('gzip') in browsers)",
      0,
    );
  }
  if (bytes.length < 4) {
    throw new DatasetError(
      "TRUNCATED",
      `IDX: the header is truncated: the 4-byte magic number needs bytes 0–3 but the input ends at byte ${bytes.length}`,
      bytes.length,
    );
  }
  for (const offset of [0, 1]) {
    if (bytes[offset] !== 0) {
      throw new DatasetError(
        "BAD_MAGIC",
        `IDX: bad magic number: byte ${offset} is ${hex(bytes[offset]!)}, expected 0x00 (an IDX file starts 0x00 0x00 <type> <ndims>)`,
        offset,
      );
    }
  }
  const dtype = dtypeFromCode(bytes[2]!);
  if (dtype === undefined) {
    throw new DatasetError(
      "UNSUPPORTED_DTYPE",
      `IDX: unknown type byte ${hex(bytes[2]!)} at byte 2; IDX types are 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double`,
      2,
    );
  }
  const ndims = bytes[3]!;
  if (ndims > maxDims) {
    throw new DatasetError(
      "TOO_MANY_DIMS",
      `IDX: byte 3 declares ${ndims} dimensions, more than the limit of ${maxDims} (option maxDims)`,
      3,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      "TRUNCATED",
      `IDX: the header is truncated: ${ndims} dimensions need bytes 4–${headerBytes - 1} but the input ends at byte ${bytes.length}`,
      bytes.length,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const elementBytes = IDX_DTYPES[dtype].bytes;
  const shape: number[] = [];
  let dataBytes = elementBytes;
  for (let d = 0; d < ndims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    // Stays exact: each factor is < 2^32 and the running product never exceeds maxBytes ≤ 2^53.
    dataBytes *= size;
    if (dataBytes > maxBytes) {
      throw new DatasetError(
        "TOO_LARGE",
        `IDX: dimensions [${shape.join(", ")}${d + 1 < ndims ? ", …" : ""}] of ${dtype} (dimension ${d} at byte ${4 + 4 * d}) exceed the limit of ${maxBytes} data bytes (option maxBytes)`,
        4 + 4 * d,
      );
    }
  }
  return { dtype, shape, headerBytes, dataBytes, elementCount: dataBytes / elementBytes, elementBytes };
}

/** Checks that an input of `totalBytes` holds exactly the header plus the declared data. */
export function checkIdxLength(header: IdxHeader, totalBytes: number): void {
  const end = header.headerBytes + header.dataBytes;
  const what = `shape [${header.shape.join(", ")}] of ${header.dtype} declares ${header.dataBytes} data bytes from byte ${header.headerBytes} to byte ${end}`;
  if (totalBytes < end) {
    throw new DatasetError(
      "TRUNCATED",
      `IDX: the data is truncated: the ${what}, but the input ends at byte ${totalBytes}`,
      totalBytes,
    );
  }
  if (totalBytes > end) {
    throw new DatasetError(
      "TRAILING_BYTES",
      `IDX: ${totalBytes - end} unexpected bytes after the data: the ${what}, but the input is ${totalBytes} bytes long`,
      end,
    );
  }
}

/**
 * Decodes a complete IDX file: magic 0x00 0x00 <type> <ndims>, ndims big-endian uint32 sizes, then the
 * big-endian elements in row-major order. Validates everything before allocating; the result owns
 * its data (a copy in native byte order). Throws `DatasetError` for any malformed input.
 */
export function readIdx(bytes: Uint8Array, options: IdxReadOptions = {}): IdxArray {
  const header = readIdxHeader(bytes, options);
  checkIdxLength(header, bytes.length);
  return decodeIdxData(header, bytes.subarray(header.headerBytes, header.headerBytes + header.dataBytes));
}

/** Turns `dataBytes` (big-endian elements, length a multiple of the element size) into a typed array. */
export function decodeIdxData(header: Pick<IdxHeader, "dtype" | "shape">, dataBytes: Uint8Array): IdxArray {
  const { dtype } = header;
  const shape = header.shape.slice();
  const view = new DataView(dataBytes.buffer, dataBytes.byteOffset, dataBytes.byteLength);
  switch (dtype) {
    // new Uint8Array(view) copies; Buffer#slice would not (it returns a view), and Buffers do arrive here.
    case "uint8":
      return { dtype, shape, data: new Uint8Array(dataBytes) };
    case "int8":
      return { dtype, shape, data: new Int8Array(new Uint8Array(dataBytes).buffer) };
    case "int16": {
      const data = new Int16Array(dataBytes.length / 2);
      for (let i = 0; i < data.length; i++) data[i] = view.getInt16(2 * i, false);
      return { dtype, shape, data };
    }
    case "int32": {
      const data = new Int32Array(dataBytes.length / 4);
      for (let i = 0; i < data.length; i++) data[i] = view.getInt32(4 * i, false);
      return { dtype, shape, data };
    }
    case "float32": {
      const data = new Float32Array(dataBytes.length / 4);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(4 * i, false);
      return { dtype, shape, data };
    }
    case "float64": {
      const data = new Float64Array(dataBytes.length / 8);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(8 * i, false);
      return { dtype, shape, data };
    }
  }
}
