export {
  earlyStopping,
  type Monitor,
  type MonitorOptions,
  onImprovement,
  reduceLearningRateOnPlateau,
} from "./callbacks.js";
export { type Constraint, weightClip } from "./constraints.js";
export type { LabeledData } from "./data.js";
export { NnError, type NnErrorCode } from "./errors.js";
export { glorotLrScale, glorotUniform, uniformLatent } from "./initializers.js";
export { HardTanh, hardTanh, QuantizerActivation, sign } from "./layers/activations.js";
export { BatchNorm, type BatchNormOptions, batchNorm } from "./layers/batch-norm.js";
export {
  Conv2d,
  type Conv2dOptions,
  binaryConv2d,
  conv2d,
  convOutputSize,
  type Padding,
} from "./layers/conv2d.js";
export { Dense, type DenseOptions, binaryDense, dense } from "./layers/dense.js";
export { Add, add } from "./layers/add.js";
export {
  ChannelwiseLayer,
  PReLU,
  prelu,
  ReLU,
  RPReLU,
  relu,
  RSign,
  rprelu,
  rsign,
  Scale,
  scale,
} from "./layers/channelwise.js";
export { Concat, concat } from "./layers/concat.js";
export { DepthwiseConv2d, type DepthwiseConv2dOptions, depthwiseConv2d } from "./layers/depthwise-conv2d.js";
export { MergeLayer } from "./layers/merge-layer.js";
export {
  AvgPool2d,
  type AvgPool2dOptions,
  avgPool2d,
  GlobalAvgPool2d,
  globalAvgPool2d,
} from "./layers/pooling.js";
export { GraphModel, type GraphModelOptions, model } from "./graph/graph-model.js";
export { input, SymbolicTensor } from "./graph/symbolic.js";
export { type BlockOptions, biRealBlock, reactNetBlock } from "./graph/blocks.js";
export { Dropout, dropout } from "./layers/dropout.js";
export { Flatten, flatten } from "./layers/flatten.js";
export { type BuildContext, type ForwardContext, Layer, type LayerCost } from "./layers/layer.js";
export { MaxPool2d, type MaxPool2dOptions, maxPool2d } from "./layers/max-pool2d.js";
export { QuantizedLayer, type QuantizedLayerOptions } from "./layers/quantized-layer.js";
export {
  countCorrect,
  countTopK,
  type Loss,
  type LossLike,
  type LossName,
  resolveLoss,
  softmaxCrossEntropy,
  squaredHinge,
} from "./losses.js";
export {
  type BatchLog,
  type CompileOptions,
  type EpochData,
  type EpochLog,
  type EvaluateResult,
  type FitCallbacks,
  type FitOptions,
  type History,
  Model,
  Sequential,
  type SequentialOptions,
  sequential,
  type TrainingContext,
} from "./model.js";
export { type AdamOptions, adam } from "./optimizers/adam.js";
export { type BopOptions, bop } from "./optimizers/bop.js";
export { type MultiOptimizerOptions, multiOptimizer } from "./optimizers/multi.js";
export { copyState, type Optimizer, type OptimizerState } from "./optimizers/optimizer.js";
export { type SgdOptions, sgd } from "./optimizers/sgd.js";
export { createParam, type Param } from "./param.js";
export { ProgressLine, type ProgressLineOptions, type ProgressStream } from "./progress.js";
export {
  approxSign,
  magnitudeAwareSign,
  type Quantizer,
  type QuantizerLike,
  type QuantizerName,
  resolveQuantizer,
  steSign,
  swishSign,
} from "./quantizers.js";
export {
  cosineDecay,
  exponentialDecay,
  type Schedule,
  type ScheduleContext,
  stepDecay,
} from "./schedules.js";
export { formatShape, type Shape, sizeOf } from "./shape.js";
export type { LayerSummary, TrainingSummary, SummaryTotals } from "./summary.js";
export { type ExportOptions, exportModel } from "./export/export-model.js";
export { exportGraph, type GraphExportOptions } from "./export/export-graph.js";
export { type ReferenceResult, runReference } from "./export/reference.js";
export { type ExportCheck, verifyExport } from "./export/verify.js";
export { VERSION } from "./version.js";
export { decodeModel, encodeModel } from "./model-file.js";
export {
  type LayerSpec,
  layerFromSpec,
  layerSpec,
  type ModelSpec,
  modelFromSpec,
  modelSpec,
} from "./serialization.js";
export {
  type CheckpointInfo,
  checkpointContents,
  decodeCheckpoint,
  encodeCheckpoint,
  type ParsedCheckpoint,
  parseCheckpoint,
} from "./checkpoint.js";
