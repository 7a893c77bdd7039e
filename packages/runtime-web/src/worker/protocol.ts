import type { WorkerInit } from "@onebit/runtime";

// Messages between a session's thread pool (main thread) and its Web Workers. Everything is
// structured-cloneable: the plan is plain data, the shared WebAssembly.Memory and the compiled
// WebAssembly.Module are shared with the worker rather than copied.

/** Main thread → worker. */
export type ToWorker =
  /**
   * Once, first: the worker's share of the plan. `module` is the kernel module compiled for a shared
   * memory (null for the TypeScript backend), so the worker never needs the WebAssembly bytes.
   */
  | { readonly type: "init"; readonly init: WorkerInit; readonly module: WebAssembly.Module | null }
  /** Run this worker's rows of every step for `batch` samples already staged in memory. */
  | { readonly type: "run"; readonly id: number; readonly batch: number };

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "done"; readonly id: number }
  /** `aborted`: the worker stopped because another one failed (not a failure of its own). */
  | { readonly type: "error"; readonly id: number; readonly message: string; readonly aborted: boolean };
