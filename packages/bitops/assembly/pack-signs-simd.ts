/** Sign packing of the SIMD module (same contract as the scalar one): 8 f32x4 compares and bitmasks per word. */
export function packSigns(
  rowStart: i32,
  rowEnd: i32,
  src: usize,
  srcStride: usize,
  cols: i32,
  dst: usize,
  dstStride: usize,
): void {
  const zero = f32x4.splat(0);
  for (let r = rowStart; r < rowEnd; r++) {
    const s = src + <usize>r * srcStride;
    const d = dst + <usize>r * dstStride;
    let c = 0;
    let o: usize = 0;
    for (; c + 32 <= cols; c += 32) {
      const p = s + (<usize>c << 2);
      let neg: u32 = i32x4.bitmask(f32x4.lt(v128.load(p), zero));
      neg |= i32x4.bitmask(f32x4.lt(v128.load(p, 16), zero)) << 4;
      neg |= i32x4.bitmask(f32x4.lt(v128.load(p, 32), zero)) << 8;
      neg |= i32x4.bitmask(f32x4.lt(v128.load(p, 48), zero)) << 12;
      neg |= i32x4.bitmask(f32x4.lt(v128.load(p, 64), zero)) << 16;
      neg |= i32x4.bitmask(f32x4.lt(v128.load(p, 80), zero)) << 20;
      neg |= i32x4.bitmask(f32x4.lt(v128.load(p, 96), zero)) << 24;
      neg |= i32x4.bitmask(f32x4.lt(v128.load(p, 112), zero)) << 28;
      store<u32>(d + o, ~neg);
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
