// The part of the TensorFlow Lite schema (schema.fbs, version 3 with revisions 3a–3c) that the importer
// reads: field ids per table and the enum values it interprets. TFLITE.md describes the same facts in
// prose; keep the two in step.

/** Schema version stored in `Model.version` by every writer since TensorFlow Lite 1.x. */
export const TFLITE_SCHEMA_VERSION = 3;
/** FlatBuffers file identifier at bytes 4–7. */
export const TFLITE_FILE_IDENTIFIER = "TFL3";

/** Field ids (vtable slot = 4 + 2·id). A union takes two ids: the type tag, then the value. */
export const Field = {
  Model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 },
  OperatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6 },
  Buffer: { data: 0, offset: 1, size: 2 },
  Operator: {
    opcodeIndex: 0,
    inputs: 1,
    outputs: 2,
    builtinOptionsType: 3,
    builtinOptions: 4,
    customOptions: 5,
    customOptionsFormat: 6,
    largeCustomOptionsOffset: 9,
    largeCustomOptionsSize: 10,
  },
  Conv2DOptions: { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 },
  DepthwiseConv2DOptions: {
    padding: 0,
    strideW: 1,
    strideH: 2,
    depthMultiplier: 3,
    activation: 4,
    dilationW: 5,
    dilationH: 6,
  },
  Pool2DOptions: { padding: 0, strideW: 1, strideH: 2, filterWidth: 3, filterHeight: 4, activation: 5 },
  FullyConnectedOptions: { activation: 0, weightsFormat: 1, keepNumDims: 2 },
  SoftmaxOptions: { beta: 0 },
  ConcatenationOptions: { axis: 0, activation: 1 },
  AddOptions: { activation: 0 },
  MulOptions: { activation: 0 },
  ReshapeOptions: { newShape: 0 },
  ReducerOptions: { keepDims: 0 },
} as const;

/** `TensorType` (byte). */
export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
} as const;

export function tensorTypeName(type: number): string {
  for (const [name, value] of Object.entries(TensorType)) if (value === type) return name;
  return `type ${type}`;
}

/** `BuiltinOperator` codes the importer implements (plus CUSTOM). */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RESHAPE: 22,
  SOFTMAX: 25,
  CUSTOM: 32,
  PAD: 34,
  MEAN: 40,
  PRELU: 54,
} as const;

/** Names of other builtin codes, so that "unsupported" errors can name what they found. */
const OTHER_BUILTIN_NAMES: Record<number, string> = {
  5: "DEPTH_TO_SPACE",
  6: "DEQUANTIZE",
  14: "LOGISTIC",
  20: "RELU_N1_TO_1",
  21: "RELU6",
  23: "RESIZE_BILINEAR",
  28: "TANH",
  39: "TRANSPOSE",
  41: "SUB",
  42: "DIV",
  43: "SQUEEZE",
  45: "STRIDED_SLICE",
  49: "SPLIT",
  53: "CAST",
  55: "MAXIMUM",
  57: "MINIMUM",
  60: "PADV2",
  65: "SLICE",
  74: "SUM",
  83: "PACK",
  98: "LEAKY_RELU",
  102: "SPLIT_V",
  114: "QUANTIZE",
  117: "HARD_SWISH",
  126: "BATCH_MATMUL",
};

export function builtinOperatorName(code: number): string {
  for (const [name, value] of Object.entries(BuiltinOperator)) if (value === code) return name;
  return OTHER_BUILTIN_NAMES[code] ?? `BUILTIN_${code}`;
}

/** `BuiltinOptions` union tags of the options tables read. */
export const BuiltinOptionsType = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
} as const;

/** `Padding` (byte) of the schema. */
export const SchemaPadding = { SAME: 0, VALID: 1 } as const;

/** `ActivationFunctionType` (byte); LCE's 2020 custom options use the same numbers for these four. */
export const ActivationFunctionType = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 } as const;

/** `CustomOptionsFormat` (byte). */
export const CustomOptionsFormat = { FLEXBUFFERS: 0 } as const;

/** Custom codes of the Larq Compute Engine operators. */
export const LceCustomCode = {
  Quantize: "LceQuantize",
  Dequantize: "LceDequantize",
  Bconv2d: "LceBconv2d",
  BMaxPool2d: "LceBMaxPool2d",
} as const;
