// @onebit/runtime-node: the engine of @onebit/runtime with model files and worker_threads.
import "@onebit/native/register"; // backend "auto" prefers the native kernels where they load
export {
  type BackendOption,
  type CostReport,
  DEFAULT_LIMITS,
  describeCost,
  Engine,
  type ExceededLimit,
  formatCostReport,
  type InferenceFeeds,
  type InferenceOutputs,
  type InputInfo,
  type ModelInput,
  type OutputInfo,
  type RunOptions,
  type RunResult,
  RuntimeError,
  type RuntimeErrorCode,
  type RuntimeLimits,
  type SessionBackendInfo,
  Tensor,
  type TensorData,
  type TensorType,
  type TopEntry,
  describeModel,
} from "@onebit/runtime";
export { type BenchOptions, type BenchReport, benchmark } from "./bench.js";
export { type ModelSource, readModelSource } from "./load.js";
export { InferenceSession, type SessionOptions } from "./session.js";
export { type DecodedImages, decodeImages } from "./images.js";
export { DEFAULT_IMAGE_LIMITS, type ImageLimits } from "./image-limits.js";
