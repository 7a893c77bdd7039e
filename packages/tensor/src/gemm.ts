import { type GemmOptions, validateGemm } from "./gemm-options.js";
import { gemmTs } from "./gemm-ts.js";

/**
 * C (m×n) = alpha·op(A)·op(B) + beta·C on row-major contiguous Float32Arrays. op(A) is m×k
 * (A stored k×m when `transA`), op(B) is k×n (B stored n×k when `transB`). Synchronous.
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
  gemmTs(a, b, c, m, n, k, options);
}
