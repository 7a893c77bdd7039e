import type { WorkerInit } from "./plan.js";
import { ThreadsAborted, type WorkerRunner, createWorkerRunner } from "./threads.js";

// The one message protocol between a session's thread pool and its workers, in every environment
// (Node.js worker_threads, Web Workers): the environment only moves these messages. Everything is
// structured-cloneable: the plan is plain data; the shared WebAssembly.Memory and a compiled
// WebAssembly.Module are shared with the worker rather than copied.

/** Pool → worker. */
export type ToWorker =
  /**
   * Once, first: the worker's share of the plan. `module`: the kernel module compiled for a shared
   * memory, for workers that cannot make their own (a browser's worker code has no module bytes);
   * null where the worker's kernels are made from what it has (Node.js, the TypeScript backend).
   */
  | { readonly type: "init"; readonly init: WorkerInit; readonly module: WebAssembly.Module | null }
  /** Run this worker's rows of every step for `batch` samples already staged in memory. */
  | { readonly type: "run"; readonly id: number; readonly batch: number };

/** Worker → pool. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "done"; readonly id: number }
  /**
   * `id` -1: the init failed. `aborted`: the worker stopped because another one failed (the echo
   * of a failure already reported, not a failure of its own).
   */
  | { readonly type: "error"; readonly id: number; readonly message: string; readonly aborted: boolean };

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The worker side of the protocol: returns the handler of every message the worker receives;
 * `reply` posts back to the pool. The first message must be "init"; each "run" answers "done" or
 * "error". Never throws (a failure is an "error" reply).
 */
export function workerMessageHandler(reply: (message: FromWorker) => void): (message: ToWorker) => void {
  let runner: WorkerRunner | undefined;
  return (message) => {
    if (message?.type === "init") {
      try {
        runner = createWorkerRunner(message.init);
        reply({ type: "ready" });
      } catch (error) {
        reply({ type: "error", id: -1, message: `starting: ${describe(error)}`, aborted: false });
      }
      return;
    }
    const id = typeof message?.id === "number" ? message.id : -1;
    if (message?.type !== "run") {
      const type = (message as { type?: unknown } | null)?.type;
      reply({ type: "error", id, message: `unknown message type ${String(type)}`, aborted: false });
      return;
    }
    if (!runner) {
      reply({ type: "error", id, message: "run before init", aborted: false });
      return;
    }
    try {
      runner.run(message.batch);
      reply({ type: "done", id });
    } catch (error) {
      reply({ type: "error", id, message: describe(error), aborted: error instanceof ThreadsAborted });
    }
  };
}
