import { activeNativeGemm, currentBackendChoice } from "./backend.js";
import { type GemmOptions, validateGemm } from "./gemm-options.js";
import { gemmTs } from "./gemm-ts.js";
import { nativeThreads } from "./native-gemm.js";
import { threadedKernel } from "./threads-hook.js";
import { gemmWasm, wasmGemmKernel } from "./wasm-gemm.js";

/**
 * Below this many multiply-adds, copying operands into WebAssembly memory costs more than the
 * TypeScript loop (measured in apps/bench float-gemm; see README), so `auto` stays in TypeScript.
 */
export const WASM_MIN_MACS = 512;

/**
 * C (m×n) = alpha·op(A)·op(B) + beta·C on row-major contiguous Float32Arrays. op(A) is m×k
 * (A stored k×m when `transA`), op(B) is k×n (B stored n×k when `transB`). Synchronous; large
 * products run on several threads once `enableThreads` from `@onebit/tensor/node` was called, or
 * natively where `@onebit/tensor/node` registered `@onebit/native`'s GEMM.
 */
export function gemm(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  options?: GemmOptions,
): void {
  validateGemm(a, b, c, m, n, k, options);
  const native = activeNativeGemm();
  if (native) {
    // In place on the caller's arrays: no copy into WebAssembly memory.
    const { transA = false, transB = false, alpha = 1, beta = 0 } = options ?? {};
    native.sgemm(a, b, c, m, n, k, transA, transB, alpha, beta, nativeThreads());
    return;
  }
  const choice = currentBackendChoice();
  if (choice !== "typescript" && (choice === "wasm-simd" || m * n * k >= WASM_MIN_MACS)) {
    const threaded = threadedKernel();
    if (threaded) {
      try {
        if (gemmWasm(threaded.kernel, a, b, c, m, n, k, options)) return;
      } catch (error) {
        // A failed worker leaves `c` untouched and the pool uninstalled: redo the call on one thread.
        if (!threaded.failed()) throw error;
      }
    }
    const wasm = wasmGemmKernel();
    if (wasm && gemmWasm(wasm, a, b, c, m, n, k, options)) return;
  }
  gemmTs(a, b, c, m, n, k, options);
}
