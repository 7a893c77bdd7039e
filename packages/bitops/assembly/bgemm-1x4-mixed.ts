// A 1×4 tile that splits its four columns between the two kinds of execution unit: columns 0–1 by
// scalar i64.popcnt, columns 2–3 by a carry-save (Harley–Seal) adder over v128 that popcounts only
// one vector in eight. On cores with a single POPCNT port (Intel) the scalar half and the vector
// half run side by side; the autotuner measures whether that beats the all-scalar tile here.
import { clearOutputRows, flushTile, panelEnd, panelStart, stashRow0 } from "./epilogue";
import { ROW_BLOCK } from "./row-block";

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
        // Two K words per iteration (a small basic block: V8 hoists a block's loads above its
        // arithmetic, and a whole block of eight spilled them); the carry-save level a pair
        // completes follows from its index.
        let twPrev = i64x2.splat(0);
        let foPrev = i64x2.splat(0);
        let b = 0;
        while (b < blocks) {
          const chunk = min(blocks - b, BLOCKS_PER_FLUSH);
          b += chunk;
          const chunkEnd = pa + (<usize>chunk << 6);
          let eightsBytes = i64x2.splat(0);
          let ph = 0;
          while (pa < chunkEnd) {
            let x = load<u64>(pa);
            c0 += popcnt(load<u64>(q) ^ x);
            c1 += popcnt(load<u64>(q, 8) ^ x);
            const d0 = v128.xor(v128.load(q, 16), v128.load64_splat(pa));
            x = load<u64>(pa, 8);
            c0 += popcnt(load<u64>(q, 32) ^ x);
            c1 += popcnt(load<u64>(q, 40) ^ x);
            const d1 = v128.xor(v128.load(q, 48), v128.load64_splat(pa, 8));
            let u = v128.xor(ones, d0);
            const tw = v128.or(v128.and(ones, d0), v128.and(u, d1));
            ones = v128.xor(u, d1);
            pa += 16;
            q += 64;
            if (ph & 1) {
              u = v128.xor(twos, twPrev);
              const fo = v128.or(v128.and(twos, twPrev), v128.and(u, tw));
              twos = v128.xor(u, tw);
              if (ph & 2) {
                u = v128.xor(fours, foPrev);
                const eights = v128.or(v128.and(fours, foPrev), v128.and(u, fo));
                fours = v128.xor(u, fo);
                eightsBytes = i8x16.add(eightsBytes, i8x16.popcnt(eights));
              } else {
                foPrev = fo;
              }
            } else {
              twPrev = tw;
            }
            ph++;
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
