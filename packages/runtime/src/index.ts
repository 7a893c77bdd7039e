// @onebit/runtime: the environment-neutral engine (no Node.js or DOM APIs). Environment packages
// (@onebit/runtime-node, @onebit/runtime-web) add model loading from files/URLs and worker threads.
export {
  type BackendOption,
  Engine,
  type EngineOptions,
  type InputInfo,
  type OffloadContext,
  type OutputInfo,
  type PassOffload,
  type PassOffloadFactory,
  type RunOptions,
  type StepTiming,
} from "./engine.js";
export { type CostReport, type CostReportOptions, describeCost, formatCostReport } from "./cost-report.js";
export { type ExceededLimit, RuntimeError, type RuntimeErrorCode } from "./errors.js";
export {
  DEFAULT_LIMITS,
  type LimitViolation,
  type ResolvedLimits,
  type RuntimeLimits,
} from "./limits.js";
export { type ModelInput, resolveBatch } from "./input.js";
export { describeModel, type ModelSummary, type NodeSummary } from "./inspect.js";
export { type LoadedModel, loadModel } from "./model-source.js";
export {
  InferenceSession,
  type SessionBackendInfo,
  type SessionEnvironment,
  type SessionOptionsBase,
  type SessionThreads,
  type ThreadPlan,
} from "./session.js";
export type {
  BitsLayout,
  InputBinding,
  OutputBinding,
  PlanData,
  Step,
  WorkerInit,
} from "./plan.js";
export {
  type InferenceFeeds,
  type InferenceOutputs,
  isFeeds,
  Tensor,
  type TensorData,
  type TensorType,
} from "./named-io.js";
export { argmax, type RunResult, type TopEntry } from "./result.js";
export {
  abortThreads,
  createWorkerRunner,
  resetThreads,
  type ThreadPool,
  type ThreadPoolFactory,
  ThreadsAborted,
  type WorkerRunner,
} from "./threads.js";
// Loads the WebAssembly float glue of graph models (Engine.create awaits it; a createSync engine
// uses it from the first pass after it has loaded).
export { type FloatGlueInfo, type FloatGlueKernels, loadWasmFloatGlue } from "./wasm-glue.js";
// Loads the code version 2 graph models need (browser builds fetch it on demand; Engine.create does
// this itself; call it before Engine.createSync, loadModel or describeCost of such a model, and
// before describeModel of any model).
export { loadGraphSupport } from "./graph-loader.js";
