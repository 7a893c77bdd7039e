import { assertDimension, assertLength } from "./errors.js";

/** C (m×n) = alpha·op(A)·op(B) + beta·C; op(A) is m×k (A stored k×m when transA), op(B) is k×n (B stored n×k when transB). */
export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  /** Default 1. */
  alpha?: number;
  /** Default 0: C is overwritten, its old contents (even NaN) are ignored, as in BLAS. */
  beta?: number;
}

export function validateGemm(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  options: GemmOptions | undefined,
): void {
  assertDimension(m, "gemm m");
  assertDimension(n, "gemm n");
  assertDimension(k, "gemm k");
  const ta = options?.transA ? "A (stored k×m)" : "A (m×k)";
  const tb = options?.transB ? "B (stored n×k)" : "B (k×n)";
  assertLength(a, m * k, `gemm ${ta} with m=${m}, k=${k}`);
  assertLength(b, k * n, `gemm ${tb} with k=${k}, n=${n}`);
  assertLength(c, m * n, `gemm C (m×n) with m=${m}, n=${n}`);
}
