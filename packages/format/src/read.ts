import {
  CHECKSUM_BYTES,
  FORMAT_VERSION,
  GRAPH_FORMAT_VERSION,
  LITTLE_ENDIAN,
  MAGIC,
  OFFSET,
  PREAMBLE_BYTES,
} from "./container.js";
import { crc32 } from "./crc32.js";
import { FormatError } from "./errors.js";
import type { Graph, ModelMetadata, ValueInfo } from "./graph.js";
import { inferValueInfos, outputClassCount, parseGraph } from "./graph-check.js";
import { type JsonObject, asObject, checkJsonDepth, findDuplicateKey, own } from "./json-check.js";
import { align, LIMITS, TENSOR_ALIGNMENT } from "./limits.js";
import { parseMetadata } from "./metadata.js";
import { type ModelCost, modelCost } from "./cost.js";
import { booleanOption, capOption, checkOptions } from "./options.js";
import type { FormatVersion, OnebitModel, Tensor } from "./tensor.js";
import { parseTensorTable, type TensorEntry } from "./tensor-table.js";
import { checkBitPadding, checkTensorValues } from "./tensor-values.js";

export interface ReadOptions {
  /** Verify the CRC-32 (default true). Turning it off skips one pass over the bytes; nothing else. */
  readonly verifyChecksum?: boolean;
  /**
   * Copy every tensor into its own buffer (default false: tensors whose bytes are suitably aligned
   * are views into `bytes`, so changing `bytes` later changes them).
   */
  readonly copy?: boolean;
  /** Cap on the JSON header size in bytes: an integer in [2, 2³² − 1] (default 16 MiB). */
  readonly maxHeaderBytes?: number;
  /** Cap on the nesting depth of objects and arrays in the JSON header: an integer in [1, 10 000] (default 64). */
  readonly maxHeaderDepth?: number;
}

const READ_OPTIONS = ["verifyChecksum", "copy", "maxHeaderBytes", "maxHeaderDepth"] as const;

export interface CheckedReadOptions {
  readonly verifyChecksum: boolean;
  readonly copy: boolean;
  readonly maxHeaderBytes: number;
  readonly maxHeaderDepth: number;
}

/** Every read option validated (a NaN or negative cap must not turn a check off). Throws INVALID_ARGUMENT. */
export function checkReadOptions(options: unknown): CheckedReadOptions {
  const o = checkOptions<ReadOptions>(options, "options", READ_OPTIONS);
  return {
    verifyChecksum: booleanOption(o.verifyChecksum, "options.verifyChecksum", true),
    copy: booleanOption(o.copy, "options.copy", false),
    maxHeaderBytes: capOption(
      o.maxHeaderBytes,
      "options.maxHeaderBytes",
      LIMITS.maxHeaderBytes,
      2,
      0xffffffff,
    ),
    maxHeaderDepth: capOption(o.maxHeaderDepth, "options.maxHeaderDepth", LIMITS.maxHeaderDepth, 1, 10_000),
  };
}

/** Everything the header of a .onebit file says, validated; tensor contents not yet read. */
export interface ModelFileInfo {
  readonly version: FormatVersion;
  readonly fileLength: number;
  readonly headerLength: number;
  /** File offset of the data section (a multiple of 64). */
  readonly dataStart: number;
  readonly dataLength: number;
  readonly checksum: number;
  readonly graph: Graph;
  readonly tensors: readonly TensorEntry[];
  readonly metadata: ModelMetadata;
  /** Kind and shape of every node's output, `values[i]` for `graph.nodes[i]`. */
  readonly values: readonly ValueInfo[];
  /** What one sample costs to run: MACs by precision, comparisons, activation and weight bytes (SPEC.md §5.7). */
  readonly cost: ModelCost;
}

function u64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  return hi >= 2 ** 21 ? Number.POSITIVE_INFINITY : hi * 2 ** 32 + lo;
}

function checkPreamble(bytes: Uint8Array, options: CheckedReadOptions, majors: readonly number[]) {
  const prefix = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < prefix; i++) {
    if (bytes[i] !== MAGIC[i]) {
      throw new FormatError(
        "BAD_MAGIC",
        `magic: byte ${i} is 0x${bytes[i]!.toString(16).padStart(2, "0")}, not a .onebit file (expected "ONEBIT\\0\\0")`,
      );
    }
  }
  if (bytes.length < PREAMBLE_BYTES + CHECKSUM_BYTES) {
    throw new FormatError(
      "TRUNCATED",
      `file: ${bytes.length} bytes, shorter than the ${PREAMBLE_BYTES + CHECKSUM_BYTES}-byte minimum`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = { major: view.getUint16(OFFSET.major, true), minor: view.getUint16(OFFSET.minor, true) };
  if (!majors.includes(version.major)) {
    const hint =
      version.major === GRAPH_FORMAT_VERSION.major
        ? ": version 2 files (graphs) are read by readGraphModel"
        : "";
    throw new FormatError(
      "UNSUPPORTED_VERSION",
      `version: the file is format ${version.major}.${version.minor}, this reader implements major version ${majors.join(" and ")} (${FORMAT_VERSION.major}.${FORMAT_VERSION.minor})${hint}`,
    );
  }
  for (const field of ["flags", "reserved"] as const) {
    const v = view.getUint32(OFFSET[field], true);
    if (v !== 0)
      throw new FormatError(
        "BAD_HEADER",
        `${field} (offset ${OFFSET[field]}): 0x${v.toString(16)} set, must be 0 in version ${version.major}`,
      );
  }
  const fileLength = u64(view, OFFSET.fileLength);
  if (fileLength > bytes.length) {
    throw new FormatError(
      "TRUNCATED",
      `fileLength (offset ${OFFSET.fileLength}): the file declares ${fileLength} bytes but only ${bytes.length} are present`,
    );
  }
  if (fileLength < bytes.length) {
    throw new FormatError(
      "BAD_HEADER",
      `fileLength (offset ${OFFSET.fileLength}): the file declares ${fileLength} bytes but ${bytes.length} are present (trailing bytes)`,
    );
  }
  const headerLength = view.getUint32(OFFSET.headerLength, true);
  const maxHeader = options.maxHeaderBytes;
  if (headerLength > maxHeader) {
    throw new FormatError(
      "TOO_LARGE",
      `headerLength (offset ${OFFSET.headerLength}): ${headerLength} bytes exceed the cap of ${maxHeader} (option maxHeaderBytes)`,
    );
  }
  if (headerLength < 2)
    throw new FormatError(
      "BAD_HEADER",
      `headerLength (offset ${OFFSET.headerLength}): ${headerLength} bytes cannot hold a JSON object`,
    );
  const dataStart = align(PREAMBLE_BYTES + headerLength, TENSOR_ALIGNMENT);
  if (dataStart > fileLength - CHECKSUM_BYTES) {
    throw new FormatError(
      "TRUNCATED",
      `headerLength (offset ${OFFSET.headerLength}): a ${headerLength}-byte header and its padding end at ${dataStart}, past the data section's end ${fileLength - CHECKSUM_BYTES}`,
    );
  }
  return { view, version, fileLength, headerLength, dataStart };
}

/**
 * Validates a .onebit file's fixed header, checksum, JSON header, tensor table, graph and metadata
 * (SPEC.md §1 checks 1–8) without reading tensor contents. Throws FormatError.
 */
export function readModelInfo(bytes: Uint8Array, options?: ReadOptions): ModelFileInfo {
  return readInfo(bytes, checkReadOptions(options));
}

/** The container of a file (SPEC.md §1 checks 1–7 and the tensor table), before the graph is read. */
export interface Container {
  readonly version: FormatVersion;
  readonly fileLength: number;
  readonly headerLength: number;
  readonly dataStart: number;
  readonly dataLength: number;
  readonly checksum: number;
  /** The JSON header's top-level object. */
  readonly top: JsonObject;
  readonly tensors: readonly TensorEntry[];
}

/** Checks a file's container for the given major versions. */
export function readContainer(
  bytes: Uint8Array,
  options: CheckedReadOptions,
  majors: readonly number[],
): Container {
  if (!(bytes instanceof Uint8Array))
    throw new FormatError("INVALID_ARGUMENT", "bytes: expected a Uint8Array");
  const { view, version, fileLength, headerLength, dataStart } = checkPreamble(bytes, options, majors);
  const checksumAt = fileLength - CHECKSUM_BYTES;
  const checksum = view.getUint32(checksumAt, true);
  if (options.verifyChecksum) {
    const actual = crc32(bytes, 0, checksumAt);
    if (actual !== checksum) {
      throw new FormatError(
        "CHECKSUM_MISMATCH",
        `checksum (offset ${checksumAt}): stored 0x${checksum.toString(16).padStart(8, "0")}, computed 0x${actual.toString(16).padStart(8, "0")}`,
      );
    }
  }
  for (let i = PREAMBLE_BYTES + headerLength; i < dataStart; i++) {
    if (bytes[i] !== 0)
      throw new FormatError("BAD_HEADER", `header padding: byte at offset ${i} is ${bytes[i]}, must be 0`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength),
    );
  } catch {
    throw new FormatError("BAD_HEADER", `header (offset ${PREAMBLE_BYTES}): not valid UTF-8`);
  }
  checkJsonDepth(text, options.maxHeaderDepth, `header (offset ${PREAMBLE_BYTES})`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError(
      "BAD_HEADER",
      `header (offset ${PREAMBLE_BYTES}): not valid JSON (${(e as Error).message})`,
    );
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new FormatError(
      "BAD_HEADER",
      `header (offset ${PREAMBLE_BYTES}): member ${JSON.stringify(duplicate)} appears twice in one object`,
    );
  }
  const top = asObject(json, "header", "BAD_HEADER");
  const dataLength = checksumAt - dataStart;
  const tensors = parseTensorTable(own(top, "tensors"), dataLength);
  return { version, fileLength, headerLength, dataStart, dataLength, checksum, top, tensors };
}

function readInfo(bytes: Uint8Array, options: CheckedReadOptions): ModelFileInfo {
  const { version, fileLength, headerLength, dataStart, dataLength, checksum, top, tensors } = readContainer(
    bytes,
    options,
    [FORMAT_VERSION.major],
  );
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const graph = parseGraph(own(top, "graph"));
  const values = inferValueInfos(graph, (name) => byName.get(name));
  const metadata = parseMetadata(own(top, "metadata"), outputClassCount(graph, values));
  const cost = modelCost(graph, values, (name) => byName.get(name));
  return {
    version,
    fileLength,
    headerLength,
    dataStart,
    dataLength,
    checksum,
    graph,
    tensors,
    metadata,
    values,
    cost,
  };
}

/** A typed array over `length` elements at file offset `at`: a view when aligned (and wanted), else a little-endian decoded copy. */
function tensorData(bytes: Uint8Array, at: number, entry: TensorEntry, copy: boolean): Tensor["data"] {
  const byteOffset = bytes.byteOffset + at;
  const n = entry.byteLength;
  switch (entry.dtype) {
    case "uint8":
      return copy ? bytes.slice(at, at + n) : bytes.subarray(at, at + n);
    case "int8":
      return copy
        ? new Int8Array(bytes.slice(at, at + n).buffer)
        : new Int8Array(bytes.buffer, byteOffset, n);
    default: {
      const Type =
        entry.dtype === "float32" ? Float32Array : entry.dtype === "int32" ? Int32Array : Uint32Array;
      if (LITTLE_ENDIAN) {
        if (!copy && byteOffset % 4 === 0) return new Type(bytes.buffer as ArrayBuffer, byteOffset, n / 4);
        return new Type(bytes.slice(at, at + n).buffer);
      }
      const view = new DataView(bytes.buffer, byteOffset, n);
      const out = new Type(n / 4);
      for (let i = 0; i < out.length; i++) {
        out[i] = entry.dtype === "float32" ? view.getFloat32(4 * i, true) : view.getUint32(4 * i, true);
      }
      return out;
    }
  }
}

/** The tensors of a checked container (views or copies), bit padding checked. */
export function readTensors(
  bytes: Uint8Array,
  entries: readonly TensorEntry[],
  dataStart: number,
  copy: boolean,
): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const data = tensorData(bytes, dataStart + e.offset, e, copy);
    const t = (
      e.dtype === "bit"
        ? { dtype: e.dtype, shape: e.shape, layout: e.layout!, data }
        : { dtype: e.dtype, shape: e.shape, data }
    ) as Tensor;
    if (t.dtype === "bit") checkBitPadding(t, e.name);
    tensors.set(e.name, t);
  }
  return tensors;
}

/**
 * Reads and fully validates a .onebit file (SPEC.md): everything `readModelInfo` checks, then the
 * tensor contents (bit padding, 0/1 flips, finite weights, no NaN thresholds). It allocates only
 * after the checks on sizes pass, and at most the file's size. Throws FormatError.
 */
export function readModel(bytes: Uint8Array, options?: ReadOptions): OnebitModel {
  const checked = checkReadOptions(options);
  const info = readInfo(bytes, checked);
  const tensors = readTensors(bytes, info.tensors, info.dataStart, checked.copy);
  checkTensorValues(info.graph, tensors);
  return { graph: info.graph, tensors, metadata: info.metadata };
}
