export {
  type BackendChoice,
  type BackendInfo,
  type GemmBackend,
  getBackendInfo,
  setBackend,
} from "./backend.js";
export { conv2d, conv2dBackward } from "./conv2d.js";
export {
  type NativeTrainKernels,
  type NativeTrainStatus,
  activeNativeTrainKernels,
  registerNativeTrainKernels,
} from "./native-train.js";
export { type Conv2dGeometry, type Conv2dParams, conv2dOutputShape } from "./conv2d-params.js";
export { conv2dBackwardRef, conv2dRef } from "./conv2d-ref.js";
export { add, addBias, axpy, clip, dot, mul, scale, sub, sum } from "./elementwise.js";
export { TensorError, type TensorErrorCode } from "./errors.js";
export { gemm } from "./gemm.js";
export type { GemmOptions } from "./gemm-options.js";
export { gemmRef } from "./gemm-ref.js";
export { nativeThreads } from "./native-gemm.js";
export { type MaxPool2dParams, type MaxPool2dResult, maxPool2d, maxPool2dBackward } from "./pool.js";
export { type AvgPool2dParams, avgPool2d, avgPool2dBackward } from "./avg-pool.js";
export {
  type DepthwiseConv2dParams,
  depthwiseConv2d,
  depthwiseConv2dBackward,
  depthwiseConv2dOutputSize,
} from "./depthwise-conv2d.js";
export { argmaxRows, channelMeanVar, columnSums, logSoftmax, softmax } from "./reductions.js";
export { Rng } from "./rng.js";
export {
  type DType,
  type DTypeArrays,
  type TensorData,
  Tensor,
  rowMajorStrides,
  shapeSize,
} from "./tensor.js";
