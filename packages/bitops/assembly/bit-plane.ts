// Bit-plane first layer (8-bit inputs × binary weights), shared by both kernel modules: the scalar
// i64.popcnt form is fast enough here (first layers have small K) and keeps one implementation.
import { clearOutputRows, panelEnd, panelStart, emitDot } from "./epilogue";

/** Σₖ 2ⁿ·popcount(plane n of row) = Σₖ x[k]: the row sum that the bit-plane dot subtracts. */
export function planeRowSum(x: usize, kWords64: i32): i32 {
  const planeBytes = (<usize>kWords64) << 3;
  let total: i64 = 0;
  for (let n = 0; n < 8; n++) {
    let s: i64 = 0;
    const p = x + <usize>n * planeBytes;
    for (let t: usize = 0; t < planeBytes; t += 8) s += popcnt(load<u64>(p + t));
    total += s << n;
  }
  return <i32>total;
}

/**
 * Bit-plane (8-bit input) GEMM rows [rowStart, rowEnd): row m's 8 planes at x + m·xStride, each
 * kWords64 words. dot = 2·Σₙ 2ⁿ·popcount(xₙ ∧ w) − Σₖ x[k], via two 4-plane × 4-column tiles.
 */
export function bitPlaneGemm(
  rowStart: i32,
  rowEnd: i32,
  x: usize,
  xStride: usize,
  w: usize,
  n: i32,
  kWords64: i32,
): void {
  clearOutputRows(rowStart, rowEnd);
  const p0 = panelStart();
  const p1 = panelEnd();
  const panelBytes = (<usize>kWords64) << 5;
  const kBytes = (<usize>kWords64) << 3;
  for (let m = rowStart; m < rowEnd; m++) {
    const row = x + <usize>m * xStride;
    const rowSum = planeRowSum(row, kWords64);
    for (let p = p0; p < p1; p++) {
      const wp = w + <usize>p * panelBytes;
      let s0: i64 = 0,
        s1: i64 = 0,
        s2: i64 = 0,
        s3: i64 = 0;
      for (let g = 0; g < 2; g++) {
        const a0 = row + <usize>(g << 2) * kBytes;
        const a1 = a0 + kBytes;
        const a2 = a1 + kBytes;
        const a3 = a2 + kBytes;
        let c00: i64 = 0,
          c01: i64 = 0,
          c02: i64 = 0,
          c03: i64 = 0;
        let c10: i64 = 0,
          c11: i64 = 0,
          c12: i64 = 0,
          c13: i64 = 0;
        let c20: i64 = 0,
          c21: i64 = 0,
          c22: i64 = 0,
          c23: i64 = 0;
        let c30: i64 = 0,
          c31: i64 = 0,
          c32: i64 = 0,
          c33: i64 = 0;
        let q = wp;
        for (let t: usize = 0; t < kBytes; t += 8) {
          const w0 = load<u64>(q);
          const w1 = load<u64>(q, 8);
          const w2 = load<u64>(q, 16);
          const w3 = load<u64>(q, 24);
          q += 32;
          const x0 = load<u64>(a0 + t);
          c00 += popcnt(x0 & w0);
          c01 += popcnt(x0 & w1);
          c02 += popcnt(x0 & w2);
          c03 += popcnt(x0 & w3);
          const x1 = load<u64>(a1 + t);
          c10 += popcnt(x1 & w0);
          c11 += popcnt(x1 & w1);
          c12 += popcnt(x1 & w2);
          c13 += popcnt(x1 & w3);
          const x2 = load<u64>(a2 + t);
          c20 += popcnt(x2 & w0);
          c21 += popcnt(x2 & w1);
          c22 += popcnt(x2 & w2);
          c23 += popcnt(x2 & w3);
          const x3 = load<u64>(a3 + t);
          c30 += popcnt(x3 & w0);
          c31 += popcnt(x3 & w1);
          c32 += popcnt(x3 & w2);
          c33 += popcnt(x3 & w3);
        }
        const sh = <i64>(g << 2);
        s0 += (c00 + (c10 << 1) + (c20 << 2) + (c30 << 3)) << sh;
        s1 += (c01 + (c11 << 1) + (c21 << 2) + (c31 << 3)) << sh;
        s2 += (c02 + (c12 << 1) + (c22 << 2) + (c32 << 3)) << sh;
        s3 += (c03 + (c13 << 1) + (c23 << 2) + (c33 << 3)) << sh;
      }
      const j = p << 2;
      emitDot(m, j, <i32>(s0 << 1) - rowSum);
      emitDot(m, j + 1, <i32>(s1 << 1) - rowSum);
      emitDot(m, j + 2, <i32>(s2 << 1) - rowSum);
      emitDot(m, j + 3, <i32>(s3 << 1) - rowSum);
    }
  }
}
