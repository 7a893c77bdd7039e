import { Worker } from "node:worker_threads";
import type { RuntimeError, WorkerInit } from "@onebit/runtime";
import { WorkerPool } from "@onebit/runtime/workers";

/** How long workers may take to start (load modules, compile the kernels) before creation fails. */
const START_TIMEOUT_MS = 60_000;

export interface NodePoolOptions {
  /** Told about a worker failure that happened between runs (a failure during a run rejects the run). */
  readonly onWorkerError?: (error: RuntimeError) => void;
  /** Told of every pass the workers run. */
  readonly onPass?: () => void;
}

/**
 * `worker_threads` workers running one engine's plan over its shared memory: @onebit/runtime's
 * `WorkerPool` and worker protocol over Node.js's `Worker` (src/worker.js). Workers are unref'd
 * while idle, so a forgotten session does not keep the process alive.
 */
export function startNodePool(
  inits: readonly WorkerInit[],
  options: NodePoolOptions = {},
): Promise<WorkerPool<Worker>> {
  const url = new URL("./worker.js", import.meta.url);
  return WorkerPool.start(
    inits,
    (_, events) => {
      const worker = new Worker(url);
      worker.on("message", events.message);
      worker.on("error", (error) => events.failed(`crashed (${error.message})`, error));
      worker.on("exit", (code) => events.failed(`exited unexpectedly (exit code ${code})`));
      return worker;
    },
    {
      startTimeoutMs: START_TIMEOUT_MS,
      busy: (worker, busy) => (busy ? worker.ref() : worker.unref()),
      ...(options.onWorkerError ? { onIdleFailure: options.onWorkerError } : {}),
      ...(options.onPass ? { onPass: options.onPass } : {}),
    },
  );
}
