// A 1×4 tile that splits its four columns between the two kinds of execution unit: columns 0–1 by
// scalar i64.popcnt, columns 2–3 by a carry-save (Harley–Seal) adder over v128 that popcounts only
// one vector in eight. On cores with a single POPCNT port (Intel) the scalar half and the vector
// half run side by side; the autotuner measures whether that beats the all-scalar tile here.
import { clearOutputRows, flushTile, panelEnd, panelStart, stashRow0 } from "./epilogue";

const ROW_BLOCK: i32 = 32;
/** Byte counters of popcount(eights) grow by ≤ 8 per block: flush them to i64 before 256. */
const BLOCKS_PER_FLUSH: i32 = 31;

// @ts-expect-error: decorator
@inline function laneSums(bytes: v128): v128 {
  return i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(bytes));
}

export function gemmMixed(
  rowStart: i32,
  rowEnd: i32,
  a: usize,
  aStride: usize,
  w: usize,
  n: i32,
  kWords64: i32,
): void {
  clearOutputRows(rowStart, rowEnd);
  const p0 = panelStart();
  const p1 = panelEnd();
  const panelBytes = (<usize>kWords64) << 5;
  const blocks = kWords64 >> 3;
  for (let m0 = rowStart; m0 < rowEnd; m0 += ROW_BLOCK) {
    const m1 = min(m0 + ROW_BLOCK, rowEnd);
    for (let p = p0; p < p1; p++) {
      const wp = w + <usize>p * panelBytes;
      const j = p << 2;
      for (let m = m0; m < m1; m++) {
        let pa = a + <usize>m * aStride;
        let q = wp;
        let c0: i64 = 0,
          c1: i64 = 0,
          c2: i64 = 0,
          c3: i64 = 0;
        let ones = i64x2.splat(0);
        let twos = i64x2.splat(0);
        let fours = i64x2.splat(0);
        let b = 0;
        while (b < blocks) {
          const bEnd = min(b + BLOCKS_PER_FLUSH, blocks);
          let eightsBytes = i64x2.splat(0);
          for (; b < bEnd; b++) {
            let x: u64;
            let u: v128;
            x = load<u64>(pa);
            c0 += popcnt(load<u64>(q) ^ x);
            c1 += popcnt(load<u64>(q, 8) ^ x);
            const d0 = v128.xor(v128.load(q, 16), i64x2.splat(x));
            x = load<u64>(pa, 8);
            c0 += popcnt(load<u64>(q, 32) ^ x);
            c1 += popcnt(load<u64>(q, 40) ^ x);
            const d1 = v128.xor(v128.load(q, 48), i64x2.splat(x));
            u = v128.xor(ones, d0);
            const twosA = v128.or(v128.and(ones, d0), v128.and(u, d1));
            ones = v128.xor(u, d1);
            x = load<u64>(pa, 16);
            c0 += popcnt(load<u64>(q, 64) ^ x);
            c1 += popcnt(load<u64>(q, 72) ^ x);
            const d2 = v128.xor(v128.load(q, 80), i64x2.splat(x));
            x = load<u64>(pa, 24);
            c0 += popcnt(load<u64>(q, 96) ^ x);
            c1 += popcnt(load<u64>(q, 104) ^ x);
            const d3 = v128.xor(v128.load(q, 112), i64x2.splat(x));
            u = v128.xor(ones, d2);
            const twosB = v128.or(v128.and(ones, d2), v128.and(u, d3));
            ones = v128.xor(u, d3);
            u = v128.xor(twos, twosA);
            const foursA = v128.or(v128.and(twos, twosA), v128.and(u, twosB));
            twos = v128.xor(u, twosB);
            x = load<u64>(pa, 32);
            c0 += popcnt(load<u64>(q, 128) ^ x);
            c1 += popcnt(load<u64>(q, 136) ^ x);
            const d4 = v128.xor(v128.load(q, 144), i64x2.splat(x));
            x = load<u64>(pa, 40);
            c0 += popcnt(load<u64>(q, 160) ^ x);
            c1 += popcnt(load<u64>(q, 168) ^ x);
            const d5 = v128.xor(v128.load(q, 176), i64x2.splat(x));
            u = v128.xor(ones, d4);
            const twosC = v128.or(v128.and(ones, d4), v128.and(u, d5));
            ones = v128.xor(u, d5);
            x = load<u64>(pa, 48);
            c0 += popcnt(load<u64>(q, 192) ^ x);
            c1 += popcnt(load<u64>(q, 200) ^ x);
            const d6 = v128.xor(v128.load(q, 208), i64x2.splat(x));
            x = load<u64>(pa, 56);
            c0 += popcnt(load<u64>(q, 224) ^ x);
            c1 += popcnt(load<u64>(q, 232) ^ x);
            const d7 = v128.xor(v128.load(q, 240), i64x2.splat(x));
            u = v128.xor(ones, d6);
            const twosD = v128.or(v128.and(ones, d6), v128.and(u, d7));
            ones = v128.xor(u, d7);
            u = v128.xor(twos, twosC);
            const foursB = v128.or(v128.and(twos, twosC), v128.and(u, twosD));
            twos = v128.xor(u, twosD);
            u = v128.xor(fours, foursA);
            const eights = v128.or(v128.and(fours, foursA), v128.and(u, foursB));
            fours = v128.xor(u, foursB);
            eightsBytes = i8x16.add(eightsBytes, i8x16.popcnt(eights));
            pa += 64;
            q += 256;
          }
          const s = laneSums(eightsBytes);
          c2 += <i64>(i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1)) << 3;
          c3 += <i64>(i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3)) << 3;
        }
        c2 +=
          (popcnt(i64x2.extract_lane(fours, 0)) << 2) +
          (popcnt(i64x2.extract_lane(twos, 0)) << 1) +
          popcnt(i64x2.extract_lane(ones, 0));
        c3 +=
          (popcnt(i64x2.extract_lane(fours, 1)) << 2) +
          (popcnt(i64x2.extract_lane(twos, 1)) << 1) +
          popcnt(i64x2.extract_lane(ones, 1));
        // The K words after the last whole block of eight.
        for (let t = blocks << 3; t < kWords64; t++) {
          const x = load<u64>(pa);
          c0 += popcnt(load<u64>(q) ^ x);
          c1 += popcnt(load<u64>(q, 8) ^ x);
          c2 += popcnt(load<u64>(q, 16) ^ x);
          c3 += popcnt(load<u64>(q, 24) ^ x);
          pa += 8;
          q += 32;
        }
        stashRow0(c0, c1, c2, c3);
        flushTile(m, j, 1);
      }
    }
  }
}
