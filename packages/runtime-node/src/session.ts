import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import {
  InferenceSession as RuntimeSession,
  type RuntimeError,
  type SessionEnvironment,
  type SessionOptionsBase,
  type WorkerInit,
} from "@onebit/runtime";
import type { WorkerPool } from "@onebit/runtime/workers";
import { type ModelSource, readModelSource } from "./load.js";
import { startNodePool } from "./node-pool.js";

/**
 * Options of `InferenceSession.create` in Node.js: @onebit/runtime's (`threads` — "auto", the
 * default, is `os.availableParallelism()` —, `backend`, `maxBatch`, `parallelThresholdNs`, `limits`)
 * and `onWorkerError`.
 */
export interface SessionOptions extends SessionOptionsBase {
  /**
   * Called when a worker dies between runs (the next run starts fresh workers). A death during a run
   * rejects that run with RuntimeError "WORKER_FAILED" instead. Default: `process.emitWarning`.
   */
  readonly onWorkerError?: (error: RuntimeError) => void;
}

type NodePool = WorkerPool<Worker>;

const pools = new WeakMap<object, NodePool[]>();

/**
 * Node.js: files and bytes, `worker_threads` sharing the engine's WebAssembly memory. The pools it
 * starts are recorded in `started` (one environment per session being created).
 */
const nodeEnvironment = (started: NodePool[]): SessionEnvironment<ModelSource, SessionOptions> => ({
  load: (source) => readModelSource(source),
  async planThreads(requested, options, countRun) {
    const threads = requested ?? Math.max(1, availableParallelism());
    if (threads === 1)
      return { threads, reason: requested === 1 ? "1 thread requested" : "1 core available" };
    const onWorkerError =
      options.onWorkerError ??
      ((error: RuntimeError) =>
        process.emitWarning(error.message, { type: "OnebitWorkerWarning", code: error.code }));
    return {
      threads,
      reason: `${threads} worker_threads over a shared WebAssembly.Memory`,
      threadPool: async (inits: readonly WorkerInit[]) => {
        const pool = await startNodePool(inits, { onWorkerError, onPass: countRun });
        started.push(pool);
        return pool;
      },
    };
  },
});

/**
 * Runs a .onebit model in Node.js: `await InferenceSession.create(path | bytes | model, options)`,
 * then `await session.run(input)` for one sample or a batch (or `run({ [inputName]: tensor })`).
 * Large passes are split over worker threads sharing the engine's WebAssembly memory; small ones
 * run on the main thread. @onebit/runtime's `InferenceSession` with the Node.js environment.
 */
export class InferenceSession extends RuntimeSession {
  static async create(source: ModelSource, options?: SessionOptions): Promise<InferenceSession> {
    const started: NodePool[] = [];
    const session = await RuntimeSession.open(
      nodeEnvironment(started),
      source,
      options,
      (...args) => new InferenceSession(...args),
    );
    pools.set(session, started);
    return session;
  }
}

/** The worker pools a session started, latest last (for tests and diagnostics). */
export function sessionPools(session: InferenceSession): readonly NodePool[] {
  return pools.get(session) ?? [];
}
