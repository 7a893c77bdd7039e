// Browser-safe entry: no node: imports here (file helpers live in ./node.ts).
export {
  type BatchNormParams,
  batchNormSign,
  type DotRange,
  type FloatThresholds,
  type FoldArithmetic,
  type FoldOptions,
  foldBatchNormToFloatThresholds,
  foldBatchNormToScaleBias,
  foldBatchNormToThresholds,
  type IntegerThresholds,
} from "./batchnorm-fold.js";
export { bitTensorFromMatrix, bitTensorToMatrix, packBitTensor, unpackBitTensor } from "./bit-tensor.js";
export { FORMAT_VERSION, MAGIC } from "./container.js";
export { crc32 } from "./crc32.js";
export {
  type ModelCost,
  modelCost,
  type NodeCost,
  nodeTensorRefs,
  tensorInfoBytes,
  valueBytes,
} from "./cost.js";
export { describeCost, describeModelFile } from "./describe.js";
export { FormatError, type FormatErrorCode } from "./errors.js";
export {
  type ArgmaxNode,
  type BinaryConv2dNode,
  type BinaryDenseNode,
  type BitsOutput,
  type Conv2dBitPlaneNode,
  type Conv2dFloatNode,
  type DenseBitPlaneNode,
  type DenseFloatNode,
  type FlattenNode,
  type FloatLayerOutput,
  type FloatOutput,
  type Graph,
  type GraphNode,
  type InputNode,
  type IntegerLayerOutput,
  type LayerOutput,
  type MaxPool2dNode,
  type ModelMetadata,
  type Normalization,
  OP_NAMES,
  type OpName,
  type Padding,
  type Pair,
  type Provenance,
  type ScaleBiasOutput,
  type SoftmaxNode,
  type TensorRef,
  type ValueInfo,
  type ValueKind,
} from "./graph.js";
export { inferValueInfos, outputClassCount, parseGraph } from "./graph-check.js";
export { LIMITS } from "./limits.js";
export { type CheckedModel, checkModel } from "./model-check.js";
export { type ModelFileInfo, type ReadOptions, readModel, readModelInfo } from "./read.js";
export {
  readSafetensors,
  SAFETENSORS_DTYPES,
  type SafetensorsArrays,
  type SafetensorsDType,
  type SafetensorsFile,
  type SafetensorsInput,
  type SafetensorsReadOptions,
  type SafetensorsTensor,
  safetensorsDTypeSize,
  writeSafetensors,
} from "./safetensors.js";
export {
  type BitLayout,
  type BitTensor,
  DTYPES,
  type DType,
  type Float32Tensor,
  type FormatVersion,
  type Int8Tensor,
  type Int32Tensor,
  type OnebitModel,
  type Tensor,
  type Uint8Tensor,
} from "./tensor.js";
export { bitLayoutFor, type TensorEntry, type TensorInfo } from "./tensor-table.js";
export { type WindowAxis, windowAxis } from "./window.js";
export { writeModel } from "./write.js";
