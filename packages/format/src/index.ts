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
export { FORMAT_VERSION, GRAPH_FORMAT_VERSION, MAGIC } from "./container.js";
export { crc32 } from "./crc32.js";
export {
  type ModelCost,
  modelCost,
  type NodeCost,
  nodeTensorRefs,
  tensorInfoBytes,
  valueBytes,
} from "./cost.js";
export { describeGraphFile } from "./describe.js";
export { describeCost } from "./describe-cost.js";
export {
  type ModelSummary,
  type NodeSummary,
  type SummarySource,
  nodeDetails,
  summarizeGraph,
} from "./summary.js";
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
export { graphCost } from "./graph-cost.js";
export { chainGraphValues, chainToGraph } from "./chain-to-graph.js";
export {
  type CheckedGraphModel,
  checkGraphModel,
  type GraphFileInfo,
  readGraphModel,
  readGraphModelInfo,
  toGraphModel,
  writeGraphModel,
} from "./graph-model.js";
export {
  type GraphInput,
  type GraphModel,
  type GraphV2,
  graphTensorRefs,
  inferGraphValues,
  parseGraphV2,
} from "./graph-v2.js";
export type { AddNode } from "./ops/add.js";
export type { ArgmaxNodeV2 } from "./ops/argmax.js";
export type { AvgPool2dNode } from "./ops/avg-pool2d.js";
export type { BatchNormNode } from "./ops/batch-norm.js";
export type { BConv2dNode } from "./ops/bconv2d.js";
export type { BDenseNode } from "./ops/bdense.js";
export type { BinaryOutput } from "./ops/binary-output.js";
export type { BitPlaneConv2dNode } from "./ops/bit-plane-conv2d.js";
export type { BitPlaneDenseNode } from "./ops/bit-plane-dense.js";
export type { ConcatNode } from "./ops/concat.js";
export type { Conv2dNode } from "./ops/conv2d.js";
export type { DenseNode } from "./ops/dense.js";
export type { DepthwiseConv2dNode } from "./ops/depthwise-conv2d.js";
export type { DequantizeNode } from "./ops/dequantize.js";
export type { FlattenNodeV2 } from "./ops/flatten.js";
export type { GlobalAvgPoolNode } from "./ops/global-avg-pool.js";
export type { MaxPool2dNodeV2 } from "./ops/max-pool2d.js";
export type { MulNode } from "./ops/mul.js";
export type {
  NodeBase,
  OpDef,
  OpReference,
  OpWork,
  RefValue,
  RequireTensor,
  ValueInfoV2,
  ValueKindV2,
} from "./ops/op.js";
export { REFERENCES } from "./ops/references.js";
export type { PadNode } from "./ops/pad.js";
export type { PReluNode } from "./ops/prelu.js";
export type { QuantizeNode } from "./ops/quantize.js";
export type { ReluNode } from "./ops/relu.js";
export type { ReshapeNode } from "./ops/reshape.js";
export type { RPReluNode } from "./ops/rprelu.js";
export type { SignNode } from "./ops/sign.js";
export type { SoftmaxNodeV2 } from "./ops/softmax.js";
export { type GraphNodeV2, OP_NAMES_V2, OPS_V2, type OpNameV2, opDef } from "./ops/table.js";
export { type ReferenceOutput, runReference } from "./reference.js";
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
