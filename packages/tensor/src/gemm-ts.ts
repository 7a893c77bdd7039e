import type { GemmOptions } from "./gemm-options.js";

/** Applies beta to C in place (beta = 0 clears, so stale NaNs in C never leak). */
export function scaleOutput(c: Float32Array, size: number, beta: number): void {
  if (beta === 0) c.fill(0, 0, size);
  else if (beta !== 1) for (let i = 0; i < size; i++) c[i]! *= beta;
}

/** C[i, :] += Σ_p a(i, p)·B[p, :] with B row-major k×n; four rows of B per pass over C's row. */
function rowTimesB(
  aAt: (p: number) => number,
  b: Float32Array,
  c: Float32Array,
  ci: number,
  n: number,
  k: number,
): void {
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const a0 = aAt(p);
    const a1 = aAt(p + 1);
    const a2 = aAt(p + 2);
    const a3 = aAt(p + 3);
    const b0 = p * n;
    const b1 = b0 + n;
    const b2 = b1 + n;
    const b3 = b2 + n;
    for (let j = 0; j < n; j++) {
      c[ci + j]! += a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
    }
  }
  for (; p < k; p++) {
    const a0 = aAt(p);
    const b0 = p * n;
    for (let j = 0; j < n; j++) c[ci + j]! += a0 * b[b0 + j]!;
  }
}

/**
 * TypeScript GEMM with loop orders that stream rows (no strided inner loops): the fallback where
 * WebAssembly SIMD is missing and the path for products too small to amortize copying into
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
    // C[i,j] = dot(row i of A, row j of B): both contiguous; two rows of B share each load of A.
    for (let i = 0; i < m; i++) {
      const ai = i * k;
      let j = 0;
      for (; j + 2 <= n; j += 2) {
        const b0 = j * k;
        const b1 = b0 + k;
        let s0 = 0;
        let s1 = 0;
        for (let p = 0; p < k; p++) {
          const av = a[ai + p]!;
          s0 += av * b[b0 + p]!;
          s1 += av * b[b1 + p]!;
        }
        const ci = i * n + j;
        c[ci] = beta === 0 ? alpha * s0 : alpha * s0 + beta * c[ci]!;
        c[ci + 1] = beta === 0 ? alpha * s1 : alpha * s1 + beta * c[ci + 1]!;
      }
      if (j < n) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
        const ci = i * n + j;
        c[ci] = beta === 0 ? alpha * s : alpha * s + beta * c[ci]!;
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
    const aAt = transA ? (p: number) => alpha * a[p * m + i]! : (p: number) => alpha * a[i * k + p]!;
    rowTimesB(aAt, bRows, c, i * n, n, k);
  }
}
