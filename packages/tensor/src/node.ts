import { availableParallelism } from "node:os";
import { loadNativeFloatGemm, loadNativeTrainKernels, registerNativeBackend } from "@onebit/native";
import { wasmSimdAvailable } from "./backend.js";
import { TensorError } from "./errors.js";
import { nativeGemmStatus, registerNativeGemm, setNativeThreads } from "./native-gemm.js";
import { registerNativeTrainKernels } from "./native-train.js";
import { GemmThreadPool } from "./gemm-thread-pool.js";
import { installThreadedKernel, threadedKernel } from "./threads-hook.js";

/** More threads than this buys nothing for the product sizes a BNN trains on. */
export const MAX_THREADS = 64;

/**
 * Runs large `gemm` products (and the GEMMs inside `conv2d`/`conv2dBackward`) on `count` threads.
 * On the native GEMM (the default where @onebit/native loads) products already use every core
 * unless this is called: `count` then sets how many threads the addon starts per product. On
 * WebAssembly it starts the calling thread's `count − 1` worker threads sharing one memory. `gemm`
 * stays synchronous and gives bit-identical results on any count; products under ~2 M
 * multiply-adds stay on one thread. Workers do not keep the process alive. Returns the thread count
 * now in use (1 disables threads). Where neither the native GEMM nor WebAssembly SIMD runs it does
 * nothing and returns 1.
 */
export function enableThreads(count: number = availableParallelism()): number {
  if (!Number.isInteger(count) || count < 1) {
    throw new TensorError(
      "INVALID_ARGUMENT",
      `enableThreads: count must be a positive integer, got ${count}`,
    );
  }
  const threads = Math.min(count, MAX_THREADS);
  setNativeThreads(threads);
  const current = threadedKernel();
  if (current && current.threads === threads && !current.failed()) return threads;
  void disableThreads();
  if (threads === 1) return 1;
  if (!wasmSimdAvailable()) return nativeGemmStatus().gemm ? threads : 1;
  installThreadedKernel(new GemmThreadPool(threads));
  return threads;
}

/**
 * Back to one thread (native products too): later calls run on the calling thread at once; the
 * returned promise resolves when the workers have exited.
 */
export function disableThreads(): Promise<void> {
  setNativeThreads(1);
  const current = threadedKernel();
  installThreadedKernel(null);
  return current ? current.close() : Promise.resolve();
}

export { getBackendInfo } from "./backend.js";
export { type NativeGemm, type NativeGemmStatus, registerNativeGemm } from "./native-gemm.js";

// The Node entry runs products on @onebit/native's float GEMM where its binary loads (else WebAssembly).
registerNativeGemm(loadNativeFloatGemm());
// Training uses every core by default: native products split over availableParallelism() threads.
setNativeThreads(Math.min(availableParallelism(), MAX_THREADS));
// …its float training kernels (im2col/col2im, max-pool, sign, BatchNorm) on the caller's arrays…
registerNativeTrainKernels(loadNativeTrainKernels());
// …and its XNOR-popcount kernels as @onebit/bitops' preferred backend (the binary layers' forward
// products in training); nothing changes where the addon does not load.
registerNativeBackend();
