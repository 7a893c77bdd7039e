// Scalar kernels: 64-bit XOR + i64.popcnt (one x64 POPCNT each), over weights prepacked in
// 4-column panels interleaved per 64-bit word:
// panel p, word t, column c at w + ((p·kWords64 + t)·4 + c)·8.
import { clearOutputRows, panelEnd, panelStart, flushTile, stashRow0, stashRow1 } from "./epilogue";

export { bitPlaneGemm, planeRowSum } from "./bit-plane";
export { clearOutputRows, im2col, maxPool, setOutput } from "./epilogue";

/** Rows per block of the panel-outer loop: keeps a block of A in L1/L2 while a panel streams once. */
const ROW_BLOCK: i32 = 32;

/**
 * Binary GEMM rows [rowStart, rowEnd): A row m at a + m·aStride (bytes; kWords64 u64 words, an even
 * count), N columns of prepacked weights at w. Writes through the epilogue set by setOutput.
 * Tile: 2 rows × 4 columns, K unrolled by 2 words (8 accumulators fit x64's registers; wider tiles spill).
 */
export function gemm(
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
  const kBytes = (<usize>kWords64) << 3;
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
        let c00: i64 = 0,
          c01: i64 = 0,
          c02: i64 = 0,
          c03: i64 = 0;
        let c10: i64 = 0,
          c11: i64 = 0,
          c12: i64 = 0,
          c13: i64 = 0;
        while (pa < end) {
          let x0 = load<u64>(pa);
          c00 += popcnt(x0 ^ load<u64>(q));
          c01 += popcnt(x0 ^ load<u64>(q, 8));
          c02 += popcnt(x0 ^ load<u64>(q, 16));
          c03 += popcnt(x0 ^ load<u64>(q, 24));
          let x1 = load<u64>(pb);
          c10 += popcnt(x1 ^ load<u64>(q));
          c11 += popcnt(x1 ^ load<u64>(q, 8));
          c12 += popcnt(x1 ^ load<u64>(q, 16));
          c13 += popcnt(x1 ^ load<u64>(q, 24));
          x0 = load<u64>(pa, 8);
          c00 += popcnt(x0 ^ load<u64>(q, 32));
          c01 += popcnt(x0 ^ load<u64>(q, 40));
          c02 += popcnt(x0 ^ load<u64>(q, 48));
          c03 += popcnt(x0 ^ load<u64>(q, 56));
          x1 = load<u64>(pb, 8);
          c10 += popcnt(x1 ^ load<u64>(q, 32));
          c11 += popcnt(x1 ^ load<u64>(q, 40));
          c12 += popcnt(x1 ^ load<u64>(q, 48));
          c13 += popcnt(x1 ^ load<u64>(q, 56));
          pa += 16;
          pb += 16;
          q += 64;
        }
        stashRow0(c00, c01, c02, c03);
        stashRow1(c10, c11, c12, c13);
        flushTile(m, j, 2);
      }
      if (m < m1) {
        let pa = a + <usize>m * aStride;
        const end = pa + kBytes;
        let q = wp;
        let c0: i64 = 0,
          c1: i64 = 0,
          c2: i64 = 0,
          c3: i64 = 0;
        while (pa < end) {
          const x0 = load<u64>(pa);
          c0 += popcnt(x0 ^ load<u64>(q));
          c1 += popcnt(x0 ^ load<u64>(q, 8));
          c2 += popcnt(x0 ^ load<u64>(q, 16));
          c3 += popcnt(x0 ^ load<u64>(q, 24));
          pa += 8;
          q += 32;
        }
        stashRow0(c0, c1, c2, c3);
        flushTile(m, j, 1);
      }
    }
  }
}

/**
 * Packs float32 rows by sign into kernel rows: row r's `cols` values at src + r·srcStride become
 * bits (v < 0 → 0, otherwise 1, so −0 and NaN give 1) at dst + r·dstStride, zero-filled to dstStride.
 */
export function packSigns(
  rowStart: i32,
  rowEnd: i32,
  src: usize,
  srcStride: usize,
  cols: i32,
  dst: usize,
  dstStride: usize,
): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const s = src + <usize>r * srcStride;
    const d = dst + <usize>r * dstStride;
    let c = 0;
    let o: usize = 0;
    for (; c + 32 <= cols; c += 32) {
      let word: u32 = 0;
      const p = s + (<usize>c << 2);
      for (let i = 0; i < 32; i++) word |= <u32>!(load<f32>(p + (<usize>i << 2)) < 0) << i;
      store<u32>(d + o, word);
      o += 4;
    }
    if (c < cols) {
      let word: u32 = 0;
      for (let i = 0; c + i < cols; i++) word |= <u32>!(load<f32>(s + (<usize>(c + i) << 2)) < 0) << i;
      store<u32>(d + o, word);
      o += 4;
    }
    if (o < dstStride) memory.fill(d + o, 0, dstStride - o);
  }
}
