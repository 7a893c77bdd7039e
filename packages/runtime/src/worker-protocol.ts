import { loadGraphSupport } from "./graph-loader.js";
import { publishedNativeGlue } from "./native-glue.js";
import type { WorkerInit } from "./plan.js";
import { ThreadsAborted, type WorkerRunner, createWorkerRunner } from "./threads.js";
import { type FloatGlueKernels, loadWasmFloatGlue, wasmGlueUnavailable } from "./wasm-glue.js";

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
  | {
      readonly type: "init";
      readonly init: WorkerInit;
      readonly module: WebAssembly.Module | null;
      /**
       * The WebAssembly float glue's module for a shared memory (base64), for workers that cannot
       * load it themselves (a browser's worker code has no module bytes; it hands them to the
       * runtime before this message); null or absent elsewhere.
       */
      readonly floatGlue?: string | null;
    }
  /** Run this worker's rows of every step for `batch` samples already staged in memory. */
  | { readonly type: "run"; readonly id: number; readonly batch: number };

/** Worker → pool. */
export type FromWorker =
  /** Initialized; `floatGlue` says which kernels run the graph's float steps in this worker. */
  | { readonly type: "ready"; readonly floatGlue: WorkerFloatGlue }
  | { readonly type: "done"; readonly id: number }
  /**
   * `id` -1: the init failed. `aborted`: the worker stopped because another one failed (the echo
   * of a failure already reported, not a failure of its own).
   */
  | { readonly type: "error"; readonly id: number; readonly message: string; readonly aborted: boolean };

/**
 * Where a worker runs a graph's float steps (convolutions, dense layers, the fused chains): the
 * native glue (native backend, where @onebit/native published it in the worker), the WebAssembly
 * glue, or the TypeScript steps (same results either way).
 */
export type WorkerFloatGlue = FloatGlueKernels;

/** The float glue a worker's executor picks for `init` (the same choice as `StepExecutor`'s). */
function floatGlueOf(init: WorkerInit): WorkerFloatGlue {
  if (init.backend === "native" && publishedNativeGlue()) return "native";
  if (init.backend !== "typescript" && wasmGlueUnavailable(init.memory) === undefined) return "wasm";
  return "typescript";
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The worker side of the protocol: returns the handler of every message the worker receives;
 * `reply` posts back to the pool. The first message must be "init": the worker loads the graph code and the
 * WebAssembly float glue (as `Engine.create` does; not for the TypeScript backend), builds its
 * runner and answers "ready"; each "run" answers "done" or "error" (runs that arrive while the
 * init is loading wait for it, in order). Never throws (a failure is an "error" reply).
 */
export function workerMessageHandler(reply: (message: FromWorker) => void): (message: ToWorker) => void {
  let runner: WorkerRunner | undefined;
  /** Messages still to handle behind an init that is loading, in order. */
  let queue: Promise<void> = Promise.resolve();
  let queued = 0;
  const start = (init: WorkerInit) => {
    try {
      runner = createWorkerRunner(init);
      reply({ type: "ready", floatGlue: floatGlueOf(init) });
    } catch (error) {
      reply({ type: "error", id: -1, message: `starting: ${describe(error)}`, aborted: false });
    }
  };
  const handle = (message: ToWorker): Promise<void> | undefined => {
    if (message?.type === "init") {
      const init = message.init;
      // The graph code too, for a version 2 model's plan (browser builds load it on demand).
      const loaded = Promise.all([
        init?.backend === "typescript" ? undefined : loadWasmFloatGlue(),
        loadGraphSupport(),
      ]);
      return loaded.then(
        () => start(init),
        (error: unknown) => {
          reply({ type: "error", id: -1, message: `starting: ${describe(error)}`, aborted: false });
        },
      );
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
  return (message) => {
    if (queued === 0 && message?.type !== "init") {
      handle(message);
      return;
    }
    queued++;
    queue = queue.then(() => handle(message)).finally(() => queued--);
  };
}
