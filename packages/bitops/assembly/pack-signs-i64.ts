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
