// Binary convolutions with 16 or fewer input channels (one word per pixel, at most its low 16 bits
// used: lastMask ≤ 0xffff) waste half of every tap word of the per-tap layout (see im2col.ts), so
// the GEMM popcounts zeros. These fold four taps' low halves into one 64-bit word — tap t at bits
// 16·(t mod 4) of word t/4 — in the activations (foldIm2col) and, once per call, in the weight
// panels (foldPanels), and the GEMM runs over half the words. The dropped high halves are zero in
// both operands (packed images and weights keep bits past C zero, and one-padding is lastMask), so
// every dot K − 2·popcount(a ⊕ w) is unchanged.

/** Words of a folded row: ⌈taps/4⌉ (every GEMM tile steps one K word at a time, so odd counts work). */
export function foldedWords(taps: i32): i32 {
  return (taps + 3) >> 2;
}

/**
 * Weight panels at w (4-column panels of kWords64 words, tap t in the 32-bit half t mod 2 of word
 * t/2) folded into `panels` panels of foldedWords(taps) words at dst, in the same panel layout.
 */
export function foldPanels(w: usize, panels: i32, kWords64: i32, taps: i32, dst: usize): void {
  const words = foldedWords(taps);
  for (let p = 0; p < panels; p++) {
    const from = w + ((<usize>p * <usize>kWords64) << 5);
    const to = dst + ((<usize>p * <usize>words) << 5);
    for (let j = 0; j < words; j++) {
      for (let c = 0; c < 4; c++) {
        let v: u64 = 0;
        for (let i = 0; i < 4; i++) {
          const t = (j << 2) + i;
          if (t >= taps) break;
          // Tap t of column c: word t/2, column c, half t mod 2.
          const at = from + ((<usize>(t >> 1) << 5) | (<usize>c << 3) | (<usize>(t & 1) << 2));
          v |= <u64>load<u16>(at) << (<u64>i << 4);
        }
        store<u64>(to + ((<usize>j << 5) | (<usize>c << 3)), v);
      }
    }
  }
}

/**
 * Output pixels [rowStart, rowEnd) of one-word-per-pixel packed NHWC images as folded rows at
 * dst + (r − rowStart)·dstStride (im2col's parameters and geometry; padded taps read lastMask). In memory a
 * folded row is simply each tap's low 16 bits in turn (tap t at byte 2t), then zeros.
 */
export function foldIm2col(
  rowStart: i32,
  rowEnd: i32,
  src: usize,
  inH: i32,
  inW: i32,
  wpp: i32, // always 1: the parameters are im2col's, so one call site serves both
  kh: i32,
  kw: i32,
  stride: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  lastMask: u32,
  dst: usize,
  dstStride: usize,
): void {
  const rowBytes = <usize>foldedWords(kh * kw) << 3;
  const lineBytes = <usize>inW << 2;
  const outHW = outH * outW;
  const pad = <u16>lastMask;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = r / outHW;
    const rem = r - b * outHW;
    const oy = rem / outW;
    const ox = rem - oy * outW;
    const y0 = oy * stride - padTop;
    const x0 = ox * stride - padLeft;
    const image = src + <usize>b * <usize>inH * lineBytes;
    const row = dst + <usize>(r - rowStart) * dstStride;
    let d = row;
    if (y0 >= 0 && x0 >= 0 && y0 + kh <= inH && x0 + kw <= inW) {
      let line = image + <usize>y0 * lineBytes + (<usize>x0 << 2);
      for (let dy = 0; dy < kh; dy++, line += lineBytes) {
        for (let dx = 0; dx < kw; dx++, d += 2) store<u16>(d, load<u16>(line + (<usize>dx << 2)));
      }
    } else {
      for (let dy = 0; dy < kh; dy++) {
        const iy = y0 + dy;
        for (let dx = 0; dx < kw; dx++, d += 2) {
          const ix = x0 + dx;
          const live = <u32>iy < <u32>inH && <u32>ix < <u32>inW;
          // A padded tap reads the image's first word (a valid address) and keeps lastMask instead.
          const at = select<usize>(image + <usize>iy * lineBytes + (<usize>ix << 2), image, live);
          store<u16>(d, select<u16>(load<u16>(at), pad, live));
        }
      }
    }
    for (const end = row + rowBytes; d < end; d += 2) store<u16>(d, 0);
  }
}
