import { CHECKSUM_BYTES, FORMAT_VERSION, LITTLE_ENDIAN, MAGIC, OFFSET, PREAMBLE_BYTES } from "./container.js";
import { crc32 } from "./crc32.js";
import { FormatError } from "./errors.js";
import { align, TENSOR_ALIGNMENT } from "./limits.js";
import { checkModel } from "./model-check.js";
import type { FormatVersion, OnebitModel, Tensor } from "./tensor.js";
import type { TensorEntry } from "./tensor-table.js";

/** Copies a tensor's elements into `out` at `at` as little-endian bytes. */
export function writeTensorBytes(out: Uint8Array, at: number, t: Tensor): void {
  const d = t.data;
  if (LITTLE_ENDIAN || d.BYTES_PER_ELEMENT === 1) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + at, d.byteLength);
  for (let i = 0; i < d.length; i++) {
    if (d instanceof Float32Array) view.setFloat32(4 * i, d[i]!, true);
    else view.setUint32(4 * i, d[i]!, true);
  }
}

/**
 * Serializes a model to .onebit bytes (SPEC.md). Validates it first, exactly as `readModel` would,
 * so it never writes a file that the reader rejects. Deterministic: the same model gives the same
 * bytes. Tensors are laid out in the map's order, each at the next multiple of 64.
 */
export function writeModel(model: OnebitModel): Uint8Array {
  const { model: m } = checkModel(model);
  return writeContainer(FORMAT_VERSION, m.graph, m.tensors, m.metadata);
}

/** Serializes a checked graph, its tensors and metadata into the container of SPEC.md §1 (§7's canonical form). */
export function writeContainer(
  version: FormatVersion,
  graph: object,
  tensors: ReadonlyMap<string, Tensor>,
  metadata: object,
): Uint8Array {
  const m = { graph, tensors, metadata };
  const table: TensorEntry[] = [];
  let dataLength = 0;
  for (const [name, t] of m.tensors) {
    const offset = align(dataLength, TENSOR_ALIGNMENT);
    const byteLength = t.data.byteLength;
    table.push(
      t.dtype === "bit"
        ? { name, dtype: t.dtype, shape: t.shape, offset, byteLength, layout: t.layout }
        : { name, dtype: t.dtype, shape: t.shape, offset, byteLength },
    );
    dataLength = offset + byteLength;
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ graph: m.graph, tensors: table, metadata: m.metadata }),
  );
  if (header.length > 0xffffffff)
    throw new FormatError("TOO_LARGE", `header: ${header.length} bytes do not fit the 32-bit length field`);
  const dataStart = align(PREAMBLE_BYTES + header.length, TENSOR_ALIGNMENT);
  const fileLength = dataStart + dataLength + CHECKSUM_BYTES;
  const out = new Uint8Array(fileLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(OFFSET.major, version.major, true);
  view.setUint16(OFFSET.minor, version.minor, true);
  view.setUint32(OFFSET.flags, 0, true);
  view.setUint32(OFFSET.fileLength, fileLength % 2 ** 32, true);
  view.setUint32(OFFSET.fileLength + 4, Math.floor(fileLength / 2 ** 32), true);
  view.setUint32(OFFSET.headerLength, header.length, true);
  view.setUint32(OFFSET.reserved, 0, true);
  out.set(header, PREAMBLE_BYTES);
  let i = 0;
  for (const t of m.tensors.values()) writeTensorBytes(out, dataStart + table[i++]!.offset, t);
  view.setUint32(fileLength - CHECKSUM_BYTES, crc32(out, 0, fileLength - CHECKSUM_BYTES), true);
  return out;
}
