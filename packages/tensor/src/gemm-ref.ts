import { type GemmOptions, validateGemm } from "./gemm-options.js";

/** The plain triple loop every faster GEMM is tested against (accumulates in float64). */
export function gemmRef(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  options?: GemmOptions,
): void {
  validateGemm(a, b, c, m, n, k, options);
  const transA = options?.transA ?? false;
  const transB = options?.transB ?? false;
  const alpha = options?.alpha ?? 1;
  const beta = options?.beta ?? 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i]! : a[i * k + p]!;
        const bv = transB ? b[j * k + p]! : b[p * n + j]!;
        acc += av * bv;
      }
      const old = beta === 0 ? 0 : beta * c[i * n + j]!;
      c[i * n + j] = alpha * acc + old;
    }
  }
}
