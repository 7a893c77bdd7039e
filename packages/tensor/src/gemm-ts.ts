import type { GemmOptions } from "./gemm-options.js";

/** Applies beta to C in place (beta = 0 clears, so stale NaNs in C never leak). */
export function scaleOutput(c: Float32Array, size: number, beta: number): void {
  if (beta === 0) c.fill(0, 0, size);
  else if (beta !== 1) for (let i = 0; i < size; i++) c[i]! *= beta;
}

/**
 * TypeScript GEMM with loop orders that stream rows (no strided inner loops): the fallback where
 * WebAssembly SIMD is missing and the fast path for products too small to amortize copying into
 * WebAssembly memory. Arguments are assumed validated.
 */
export function gemmTs(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  options?: GemmOptions,
): void {
  const transA = options?.transA ?? false;
  const transB = options?.transB ?? false;
  const alpha = options?.alpha ?? 1;
  const beta = options?.beta ?? 0;
  if (transB && !transA) {
    // C[i,j] = dot(row i of A, row j of B): both contiguous.
    for (let i = 0; i < m; i++) {
      const ai = i * k;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[ai + p]! * b[bj + p]!;
        const ci = i * n + j;
        c[ci] = beta === 0 ? alpha * acc : alpha * acc + beta * c[ci]!;
      }
    }
    return;
  }
  scaleOutput(c, m * n, beta);
  if (m * n === 0 || k === 0 || alpha === 0) return;
  let bRows = b;
  if (transB) {
    // Aᵀ·Bᵀ: transpose B once so the inner loop streams rows of B and C.
    bRows = new Float32Array(k * n);
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bRows[p * n + j] = b[j * k + p]!;
  }
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const av = alpha * (transA ? a[p * m + i]! : a[i * k + p]!);
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += av * bRows[bp + j]!;
    }
  }
}
