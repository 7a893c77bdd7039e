// @onebit/runtime-web: .onebit models in the browser. The WebAssembly kernels and the Web Worker
// code are embedded, so a single import is all a page needs.
export {
  type SessionBackendInfo,
  type SessionOptions,
  InferenceSession,
  type WebBackendInfo,
  type WebGpuInfo,
  getBackendInfo,
} from "./inference-session.js";
export { type ThreadSupport, detectThreadSupport } from "./environment.js";
export { type FetchOptions, type ModelSource, loadModelBytes } from "./model-bytes.js";
export {
  type BackendOption,
  DEFAULT_LIMITS,
  type ExceededLimit,
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
  Tensor,
  type TensorData,
  type TensorType,
  type TopEntry,
} from "@onebit/runtime";
