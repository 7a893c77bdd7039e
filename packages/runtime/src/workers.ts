// @onebit/runtime/workers: the worker protocol (messages and the worker-side handler) and the pool
// that speaks it, for environment packages (runtime-node, runtime-web) to put over their workers.
// A subpath of its own, so a browser bundle downloads it only when a session starts workers.
export {
  type FromWorker,
  type ToWorker,
  type WorkerFloatGlue,
  workerMessageHandler,
} from "./worker-protocol.js";
export {
  type PoolWorker,
  type StartWorker,
  type WorkerEvents,
  WorkerPool,
  type WorkerPoolOptions,
  floatGlueForWorkers,
} from "./worker-pool.js";
