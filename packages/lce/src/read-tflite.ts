import { type BuiltinOptions, builtinOptionsTableName, decodeBuiltinOptions } from "./builtin-options.js";
import { LceError } from "./errors.js";
import { FlatView } from "./flat-view.js";
import { type ImportLimits, resolveLimits } from "./limits.js";
import {
  BuiltinOperator,
  builtinOperatorName,
  CustomOptionsFormat,
  Field,
  TensorType,
  TFLITE_FILE_IDENTIFIER,
  TFLITE_SCHEMA_VERSION,
  tensorTypeName,
} from "./schema.js";

/** One tensor of the model's subgraph. */
export interface TfliteTensor {
  readonly index: number;
  readonly name: string;
  /** `TensorType` value (see schema.ts). */
  readonly type: number;
  readonly shape: readonly number[];
  /** Element count (product of the shape; 1 for a scalar). */
  readonly elements: number;
  /** The constant data (a view into the file), or null for activations. */
  readonly data: Uint8Array | null;
}

/** One operator, with its options decoded. */
export interface TfliteOperator {
  readonly index: number;
  /** The builtin name (`CONV_2D`) or, for custom operators, the custom code (`LceBconv2d`). */
  readonly name: string;
  readonly builtinCode: number;
  readonly customCode: string | null;
  readonly version: number;
  /** Tensor indices; −1 marks an absent optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** The builtin options union tag (0 when absent). */
  readonly builtinOptionsType: number;
  /** Decoded builtin options for the tables the importer reads; null otherwise. */
  readonly builtinOptions: BuiltinOptions | null;
  /** The raw FlexBuffers custom options (a view into the file), or null. */
  readonly customOptions: Uint8Array | null;
}

/** What the importer reads of a `.tflite` file: its first (main) subgraph and the buffers it uses. */
export interface TfliteModel {
  readonly version: number;
  readonly description: string;
  readonly tensors: readonly TfliteTensor[];
  readonly operators: readonly TfliteOperator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

const ELEMENT_BYTES: Readonly<Record<number, number>> = {
  [TensorType.FLOAT32]: 4,
  [TensorType.FLOAT16]: 2,
  [TensorType.INT32]: 4,
  [TensorType.UINT8]: 1,
  [TensorType.INT64]: 8,
  [TensorType.BOOL]: 1,
  [TensorType.INT16]: 2,
  [TensorType.INT8]: 1,
  [TensorType.FLOAT64]: 8,
};

/**
 * Reads and validates a TensorFlow Lite flatbuffer: every offset, vector length, buffer index and tensor
 * shape is checked before use, sizes are capped by `limits`. Throws {@link LceError}.
 */
export function readTflite(bytes: Uint8Array, limits?: Partial<ImportLimits>): TfliteModel {
  if (!(bytes instanceof Uint8Array))
    throw new LceError("INVALID_ARGUMENT", "readTflite expects the file's bytes as a Uint8Array");
  const caps = resolveLimits(limits);
  if (bytes.length > caps.maxFileBytes)
    throw new LceError(
      "TOO_LARGE",
      `the file has ${bytes.length} bytes, above the limit of ${caps.maxFileBytes} (option maxFileBytes)`,
    );
  // A plain Uint8Array view: Node's Buffer (a subclass) shares memory on slice(), which callers of the
  // tensor views below must not have to know.
  const view = new FlatView(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const model = view.root(TFLITE_FILE_IDENTIFIER);
  const M = Field.Model;

  const version = model.uint32(M.version, "version");
  if (version !== TFLITE_SCHEMA_VERSION)
    throw new LceError(
      "UNSUPPORTED_MODEL",
      `Model.version is ${version}; this importer reads schema version ${TFLITE_SCHEMA_VERSION}`,
    );
  const description = model.string(M.description, "description", 1 << 16) ?? "";

  const buffers = (model.tables(M.buffers, "buffers", caps.maxTableEntries, "maxTableEntries") ?? []).map(
    (buffer) => {
      if (buffer.uint64(Field.Buffer.offset, "offset") > 1n || buffer.uint64(Field.Buffer.size, "size") > 0n)
        throw new LceError(
          "UNSUPPORTED_MODEL",
          `${buffer.where}: data stored outside the flatbuffer (files over 2 GB) is not supported`,
        );
      return buffer.bytes(Field.Buffer.data, "data", caps.maxFileBytes, "maxFileBytes");
    },
  );

  const codes = (
    model.tables(M.operatorCodes, "operator_codes", caps.maxTableEntries, "maxTableEntries") ?? []
  ).map((code) => {
    const C = Field.OperatorCode;
    const builtin = Math.max(
      code.int8(C.deprecatedBuiltinCode, "deprecated_builtin_code"),
      code.int32(C.builtinCode, "builtin_code"),
    );
    const custom = code.string(C.customCode, "custom_code", 256);
    const opVersion = code.int32(C.version, "version", 1);
    return { builtin, custom, version: opVersion };
  });

  const subgraphs = model.tables(M.subgraphs, "subgraphs", 1024, "subgraphs") ?? [];
  if (subgraphs.length === 0) throw new LceError("BAD_MODEL", "Model.subgraphs is empty");
  if (subgraphs.length > 1)
    throw new LceError(
      "UNSUPPORTED_MODEL",
      `the model has ${subgraphs.length} subgraphs (control flow); only single-subgraph models are supported`,
    );
  const graph = subgraphs[0]!;
  const S = Field.SubGraph;

  const tensors = (graph.tables(S.tensors, "tensors", caps.maxTensors, "maxTensors") ?? []).map(
    (table, index) => {
      const T = Field.Tensor;
      const where = table.where;
      const shape = table.int32s(T.shape, "shape", caps.maxRank, "maxRank") ?? [];
      let elements = 1;
      for (const dim of shape) {
        if (!Number.isInteger(dim) || dim < 0)
          throw new LceError("BAD_MODEL", `${where}: shape [${shape}] has a negative (dynamic) dimension`);
        elements *= dim;
        if (elements > caps.maxElements)
          throw new LceError(
            "TOO_LARGE",
            `${where}: shape [${shape}] exceeds the limit of ${caps.maxElements} elements (option maxElements)`,
          );
      }
      const type = table.int8(T.type, "type");
      const bufferIndex = table.uint32(T.buffer, "buffer");
      if (bufferIndex >= buffers.length && !(bufferIndex === 0 && buffers.length === 0))
        throw new LceError(
          "BAD_MODEL",
          `${where}: buffer index ${bufferIndex} is outside Model.buffers (${buffers.length} entries)`,
        );
      if (table.has(T.sparsity))
        throw new LceError("UNSUPPORTED_MODEL", `${where}: sparse tensors are not supported`);
      const raw = buffers[bufferIndex] ?? null;
      const data = raw && raw.length > 0 ? raw : null;
      const width = ELEMENT_BYTES[type];
      if (data && width !== undefined && data.length !== elements * width)
        throw new LceError(
          "BAD_MODEL",
          `${where}: buffer ${bufferIndex} holds ${data.length} bytes; shape [${shape}] of ${tensorTypeName(type)} needs ${elements * width}`,
        );
      const name = table.string(T.name, "name", 4096) ?? `tensor${index}`;
      return Object.freeze({ index, name, type, shape: Object.freeze(shape), elements, data });
    },
  );

  const tensorRef = (value: number, where: string, optional: boolean): number => {
    if (optional && value === -1) return value;
    if (!Number.isInteger(value) || value < 0 || value >= tensors.length)
      throw new LceError(
        "BAD_MODEL",
        `${where}: tensor index ${value} is outside the subgraph's ${tensors.length} tensors`,
      );
    return value;
  };

  const operators = (graph.tables(S.operators, "operators", caps.maxOperators, "maxOperators") ?? []).map(
    (table, index) => {
      const O = Field.Operator;
      const where = table.where;
      const opcodeIndex = table.uint32(O.opcodeIndex, "opcode_index");
      const code = codes[opcodeIndex];
      if (!code)
        throw new LceError(
          "BAD_MODEL",
          `${where}: opcode_index ${opcodeIndex} is outside Model.operator_codes (${codes.length} entries)`,
        );
      const inputs = (table.int32s(O.inputs, "inputs", caps.maxOperatorArity, "maxOperatorArity") ?? []).map(
        (t, i) => tensorRef(t, `${where}.inputs[${i}]`, true),
      );
      const outputs = (
        table.int32s(O.outputs, "outputs", caps.maxOperatorArity, "maxOperatorArity") ?? []
      ).map((t, i) => tensorRef(t, `${where}.outputs[${i}]`, false));
      const builtinOptionsType = table.uint8(O.builtinOptionsType, "builtin_options_type");
      const optionsTable = table.table(
        O.builtinOptions,
        builtinOptionsTableName(builtinOptionsType) ?? "builtin_options",
      );
      const builtinOptions = decodeBuiltinOptions(builtinOptionsType, optionsTable, caps.maxRank);
      if (table.uint64(O.largeCustomOptionsOffset, "large_custom_options_offset") > 1n)
        throw new LceError(
          "UNSUPPORTED_MODEL",
          `${where}: custom options outside the flatbuffer are not supported`,
        );
      const customOptions = table.bytes(
        O.customOptions,
        "custom_options",
        caps.maxCustomOptionsBytes,
        "maxCustomOptionsBytes",
      );
      const format = table.int8(O.customOptionsFormat, "custom_options_format");
      if (customOptions && format !== CustomOptionsFormat.FLEXBUFFERS)
        throw new LceError(
          "UNSUPPORTED_MODEL",
          `${where}: custom_options_format ${format} is not FlexBuffers (0)`,
        );
      const isCustom = code.builtin === BuiltinOperator.CUSTOM;
      if (isCustom && !code.custom)
        throw new LceError("BAD_MODEL", `${where}: a CUSTOM operator code without custom_code`);
      return Object.freeze({
        index,
        name: isCustom ? code.custom! : builtinOperatorName(code.builtin),
        builtinCode: code.builtin,
        customCode: isCustom ? code.custom : null,
        version: code.version,
        inputs: Object.freeze(inputs),
        outputs: Object.freeze(outputs),
        builtinOptionsType,
        builtinOptions,
        customOptions,
      });
    },
  );

  const inputs = (graph.int32s(S.inputs, "inputs", caps.maxTensors, "maxTensors") ?? []).map((t, i) =>
    tensorRef(t, `Model.subgraphs[0].inputs[${i}]`, false),
  );
  const outputs = (graph.int32s(S.outputs, "outputs", caps.maxTensors, "maxTensors") ?? []).map((t, i) =>
    tensorRef(t, `Model.subgraphs[0].outputs[${i}]`, false),
  );
  return Object.freeze({
    version,
    description,
    tensors: Object.freeze(tensors),
    operators: Object.freeze(operators),
    inputs: Object.freeze(inputs),
    outputs: Object.freeze(outputs),
  });
}
