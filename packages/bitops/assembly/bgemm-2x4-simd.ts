// SIMD kernels: XOR + i8x16.popcnt on v128, byte counts accumulated lazily with i8x16.add for up
// to 31 words (8 bits per byte per word, 31·8 ≤ 255) before widening to i32 lanes. Same weight
// layout as the scalar module: panel p, word t, column c at w + ((p·kWords64 + t)·4 + c)·8, so one
// v128 load holds the same K word of two columns and the activation word is splatted to both lanes.
import { clearOutputRows, panelEnd, panelStart, flushTile, stashRow0, stashRow1 } from "./epilogue";
import { ROW_BLOCK } from "./row-block";

/** Words per lazy byte-accumulation run: a byte lane gains at most 8 per word, 31·8 = 248 ≤ 255. */
const LAZY_WORDS: usize = 31;

// @ts-expect-error: decorator
@inline function widen(acc: v128, bytes: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(bytes)));
}

// @ts-expect-error: decorator
@inline function low(v: v128): i64 {
  return <i64>(i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1));
}

// @ts-expect-error: decorator
@inline function high(v: v128): i64 {
  return <i64>(i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3));
}

/**
 * Binary GEMM rows [rowStart, rowEnd), same contract as the scalar module's gemm.
 * Tile: 2 rows × 4 columns (two v128 column pairs), 4 byte accumulators + 4 i32 accumulators.
 */
export function gemm(rowStart: i32, rowEnd: i32, a: usize, aStride: usize, w: usize, n: i32, kWords64: i32): void {
  clearOutputRows(rowStart, rowEnd);
  const p0 = panelStart();
  const p1 = panelEnd();
  const panelBytes = <usize>kWords64 << 5;
  const kBytes = <usize>kWords64 << 3;
  for (let m0 = rowStart; m0 < rowEnd; m0 += ROW_BLOCK) {
    const m1 = min(m0 + ROW_BLOCK, rowEnd);
    for (let p = p0; p < p1; p++) {
      const wp = w + <usize>p * panelBytes;
      const j = p << 2;
      let m = m0;
      for (; m + 2 <= m1; m += 2) {
        let pa = a + <usize>m * aStride;
        let pb = pa + aStride;
        const end = pa + kBytes;
        let q = wp;
        let s00 = i32x4.splat(0);
        let s01 = i32x4.splat(0);
        let s10 = i32x4.splat(0);
        let s11 = i32x4.splat(0);
        while (pa < end) {
          const runEnd = min(end, pa + (LAZY_WORDS << 3));
          let b00 = i32x4.splat(0);
          let b01 = i32x4.splat(0);
          let b10 = i32x4.splat(0);
          let b11 = i32x4.splat(0);
          while (pa < runEnd) {
            const w01 = v128.load(q);
            const w23 = v128.load(q, 16);
            const x0 = v128.load64_splat(pa);
            b00 = i8x16.add(b00, i8x16.popcnt(v128.xor(x0, w01)));
            b01 = i8x16.add(b01, i8x16.popcnt(v128.xor(x0, w23)));
            const x1 = v128.load64_splat(pb);
            b10 = i8x16.add(b10, i8x16.popcnt(v128.xor(x1, w01)));
            b11 = i8x16.add(b11, i8x16.popcnt(v128.xor(x1, w23)));
            pa += 8;
            pb += 8;
            q += 32;
          }
          s00 = widen(s00, b00);
          s01 = widen(s01, b01);
          s10 = widen(s10, b10);
          s11 = widen(s11, b11);
        }
        stashRow0(low(s00), high(s00), low(s01), high(s01));
        stashRow1(low(s10), high(s10), low(s11), high(s11));
        flushTile(m, j, 2);
      }
      if (m < m1) {
        let pa = a + <usize>m * aStride;
        const end = pa + kBytes;
        let q = wp;
        let s0 = i32x4.splat(0);
        let s1 = i32x4.splat(0);
        while (pa < end) {
          const runEnd = min(end, pa + (LAZY_WORDS << 3));
          let b0 = i32x4.splat(0);
          let b1 = i32x4.splat(0);
          while (pa < runEnd) {
            const x0 = v128.load64_splat(pa);
            b0 = i8x16.add(b0, i8x16.popcnt(v128.xor(x0, v128.load(q))));
            b1 = i8x16.add(b1, i8x16.popcnt(v128.xor(x0, v128.load(q, 16))));
            pa += 8;
            q += 32;
          }
          s0 = widen(s0, b0);
          s1 = widen(s1, b1);
        }
        stashRow0(low(s0), high(s0), low(s1), high(s1));
        flushTile(m, j, 1);
      }
    }
  }
}
