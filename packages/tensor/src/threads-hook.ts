import type { GemmExports } from "./wasm-gemm.js";

/**
 * A multi-threaded stand-in for the WebAssembly kernel, installed by `enableThreads` from
 * `@onebit/tensor/node`. It lives on `globalThis` under a registered symbol so that the ESM and CJS
 * builds (and the separate node entry) all see the same pool, and so the main entry never imports
 * anything Node-specific.
 */
export interface ThreadedKernel {
  /** Threads that share a large product, the calling thread included. */
  readonly threads: number;
  /** Same contract as the single-threaded module; its `sgemm` splits large products across threads. */
  readonly kernel: GemmExports;
  /**
   * True once a worker failed during a call: the pool has uninstalled itself, and the caller should
   * redo that call on one thread (its JavaScript inputs and outputs are still untouched).
   */
  failed(): boolean;
  /** Stops the workers (resolves once they have exited); the caller has already uninstalled it. */
  close(): Promise<void>;
}

const KEY = Symbol.for("@onebit/tensor:threaded-kernel");

type Holder = { [KEY]?: ThreadedKernel | null };

export function threadedKernel(): ThreadedKernel | null {
  return (globalThis as Holder)[KEY] ?? null;
}

export function installThreadedKernel(kernel: ThreadedKernel | null): void {
  (globalThis as Holder)[KEY] = kernel;
}
