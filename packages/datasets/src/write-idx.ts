import { DatasetError } from "./errors.js";
import { IDX_DTYPES, type IdxArrayInput } from "./idx-dtype.js";

/** Encodes an array as IDX bytes (big-endian header and elements). Inverse of `readIdx`. */
export function writeIdx(array: IdxArrayInput): Uint8Array {
  const { dtype, shape, data } = array;
  const info = IDX_DTYPES[dtype];
  if (info === undefined) throw new DatasetError("UNSUPPORTED_DTYPE", `writeIdx: unknown dtype "${dtype}"`);
  if (shape.length > 255) {
    throw new DatasetError(
      "TOO_MANY_DIMS",
      `writeIdx: IDX holds at most 255 dimensions, got ${shape.length}`,
    );
  }
  let count = 1;
  shape.forEach((size, d) => {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
      throw new DatasetError(
        "INVALID_ARGUMENT",
        `writeIdx: dimension ${d} must be an integer in [0, 2^32), got ${size}`,
      );
    }
    count *= size;
  });
  if (count !== data.length) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `writeIdx: shape [${shape.join(", ")}] holds ${count} elements but data has ${data.length}`,
    );
  }
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + count * info.bytes);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = shape.length;
  for (let d = 0; d < shape.length; d++) view.setUint32(4 + 4 * d, shape[d]!, false);
  const at = headerBytes;
  switch (dtype) {
    case "uint8":
      out.set(data, at);
      break;
    case "int8":
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.length), at);
      break;
    case "int16":
      for (let i = 0; i < count; i++) view.setInt16(at + 2 * i, data[i]!, false);
      break;
    case "int32":
      for (let i = 0; i < count; i++) view.setInt32(at + 4 * i, data[i]!, false);
      break;
    case "float32":
      for (let i = 0; i < count; i++) view.setFloat32(at + 4 * i, data[i]!, false);
      break;
    case "float64":
      for (let i = 0; i < count; i++) view.setFloat64(at + 8 * i, data[i]!, false);
      break;
  }
  return out;
}
