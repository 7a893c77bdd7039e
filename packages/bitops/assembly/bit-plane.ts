// Bit-plane first layer (8-bit inputs × binary weights), shared by both kernel modules: the scalar
// i64.popcnt form is fast enough here (first layers have small K) and keeps one implementation.
import { clearOutputRows, emitRow4, panelEnd, panelStart } from "./epilogue";

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
 * kWords64 words. dot = 2·Σₙ 2ⁿ·popcount(xₙ ∧ w) − Σₖ x[k], one plane × 4 columns at a time: the
 * same register-light tile as the scalar binary GEMM (see bgemm-1x4-i64.ts for why it beats wider
 * tiles in V8), with the weight word as the AND's first operand.
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
  if (kWords64 == 1) {
    bitPlaneGemm1(rowStart, rowEnd, x, xStride, w);
    return;
  }
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
      for (let plane = 0; plane < 8; plane++) {
        let pa = row + <usize>plane * kBytes;
        const end = pa + kBytes;
        let q = wp;
        let c0: i64 = 0,
          c1: i64 = 0,
          c2: i64 = 0,
          c3: i64 = 0;
        // Two K words per iteration split by an exit test, as in bgemm-1x4-i64.ts's gemm.
        const last = end - 8;
        while (pa < end) {
          let xw = load<u64>(pa);
          c0 += popcnt(load<u64>(q) & xw);
          c1 += popcnt(load<u64>(q, 8) & xw);
          c2 += popcnt(load<u64>(q, 16) & xw);
          c3 += popcnt(load<u64>(q, 24) & xw);
          if (pa >= last) break;
          xw = load<u64>(pa, 8);
          c0 += popcnt(load<u64>(q, 32) & xw);
          c1 += popcnt(load<u64>(q, 40) & xw);
          c2 += popcnt(load<u64>(q, 48) & xw);
          c3 += popcnt(load<u64>(q, 56) & xw);
          pa += 16;
          q += 64;
        }
        const sh = <i64>plane;
        s0 += c0 << sh;
        s1 += c1 << sh;
        s2 += c2 << sh;
        s3 += c3 << sh;
      }
      const j = p << 2;
      emitRow4(
        m,
        j,
        <i32>(s0 << 1) - rowSum,
        <i32>(s1 << 1) - rowSum,
        <i32>(s2 << 1) - rowSum,
        <i32>(s3 << 1) - rowSum,
      );
    }
  }
}

// @ts-expect-error: decorator
@inline function planeDot(x0: i64, x1: i64, x2: i64, x3: i64, x4: i64, x5: i64, x6: i64, x7: i64, wc: i64): i32 {
  // Horner from the top plane: each step is one lea (d·2 + count) in V8's x64 code.
  let d = <i32>popcnt(x7 & wc);
  d = (d << 1) + <i32>popcnt(x6 & wc);
  d = (d << 1) + <i32>popcnt(x5 & wc);
  d = (d << 1) + <i32>popcnt(x4 & wc);
  d = (d << 1) + <i32>popcnt(x3 & wc);
  d = (d << 1) + <i32>popcnt(x2 & wc);
  d = (d << 1) + <i32>popcnt(x1 & wc);
  return (d << 1) + <i32>popcnt(x0 & wc);
}

/**
 * bitPlaneGemm for K ≤ 64 (one 64-bit word per plane: first convolutions such as 5×5×1 or 3×3×3):
 * the row's 8 plane words stay in registers across all panels, and each weight word is loaded once.
 */
function bitPlaneGemm1(rowStart: i32, rowEnd: i32, x: usize, xStride: usize, w: usize): void {
  clearOutputRows(rowStart, rowEnd);
  const p0 = panelStart();
  const p1 = panelEnd();
  for (let m = rowStart; m < rowEnd; m++) {
    const row = x + <usize>m * xStride;
    const x0 = load<u64>(row),
      x1 = load<u64>(row, 8),
      x2 = load<u64>(row, 16),
      x3 = load<u64>(row, 24),
      x4 = load<u64>(row, 32),
      x5 = load<u64>(row, 40),
      x6 = load<u64>(row, 48),
      x7 = load<u64>(row, 56);
    // An all-zero window (the border of an MNIST digit) has all-zero dots: no popcounts.
    const live = (x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7) != 0;
    const rowSum = planeDot(x0, x1, x2, x3, x4, x5, x6, x7, -1);
    for (let p = p0; p < p1; p++) {
      const q = w + (<usize>p << 5);
      let d0 = 0,
        d1 = 0,
        d2 = 0,
        d3 = 0;
      if (live) {
        d0 = (planeDot(x0, x1, x2, x3, x4, x5, x6, x7, load<u64>(q)) << 1) - rowSum;
        d1 = (planeDot(x0, x1, x2, x3, x4, x5, x6, x7, load<u64>(q, 8)) << 1) - rowSum;
        d2 = (planeDot(x0, x1, x2, x3, x4, x5, x6, x7, load<u64>(q, 16)) << 1) - rowSum;
        d3 = (planeDot(x0, x1, x2, x3, x4, x5, x6, x7, load<u64>(q, 24)) << 1) - rowSum;
      }
      emitRow4(m, p << 2, d0, d1, d2, d3);
    }
  }
}
