import type { PlaneConvArgs } from "./kernels/kernel-args.js";

/** The window's bytes of the row being converted (grown on demand; one per thread, as modules are). */
let gathered = new Uint8Array(64);
let gathered32 = new Uint32Array(gathered.buffer);

/**
 * The 8-bit im2col of a bit-plane convolution (the layout every backend writes, and its reference):
 * output pixels [rowStart, rowEnd) into the scratch rows at `args.gemm.a` (row i = pixel
 * rowStart + i, `gemm.aStride` bytes apart), each 8 bit planes of `gemm.kWords` words. Tap t,
 * channel c of the window is bit t·channels + c (densely packed); padded taps read the byte
 * `padValue`; bits past K are zero.
 *
 * A row's window is first gathered as bytes, then read 4 bytes at a time, each plane taking its
 * 4 bits with one multiply (bit n of each byte lands in bits 24..27); zero groups (most of an MNIST
 * image) cost a test.
 */
export function im2colPlanesRows(
  u8: Uint8Array,
  u32: Uint32Array,
  s: PlaneConvArgs,
  rowStart: number,
  rowEnd: number,
): void {
  const { kernelH, kernelW, strideH, strideW, padTop, padLeft, height, width, outW, input } = s;
  const kWords = s.gemm.kWords;
  const outHW = s.outH * outW;
  const c = s.channels;
  const pad = s.padValue;
  const lineBytes = width * c;
  const tapLine = kernelW * c;
  const k = kernelH * tapLine;
  const words = Math.min(kWords, Math.ceil(k / 32));
  if (gathered.length < 32 * words) {
    gathered = new Uint8Array(32 * words);
    gathered32 = new Uint32Array(gathered.buffer);
  }
  const g = gathered;
  const g32 = gathered32;
  g.fill(0, k, 32 * words);
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / outW);
    const ox = rem - oy * outW;
    const y0 = oy * strideH - padTop;
    const x0 = ox * strideW - padLeft;
    const insideX = x0 >= 0 && x0 + kernelW <= width;
    const image = input + b * height * lineBytes;
    let d = 0;
    for (let dy = 0; dy < kernelH; dy++, d += tapLine) {
      const iy = y0 + dy;
      if (iy < 0 || iy >= height) {
        g.fill(pad, d, d + tapLine);
      } else if (insideX) {
        const from = image + iy * lineBytes + x0 * c;
        for (let i = 0; i < tapLine; i++) g[d + i] = u8[from + i]!;
      } else {
        for (let dx = 0; dx < kernelW; dx++) {
          const ix = x0 + dx;
          const from = image + iy * lineBytes + ix * c;
          const inside = ix >= 0 && ix < width;
          for (let ch = 0; ch < c; ch++) g[d + dx * c + ch] = inside ? u8[from + ch]! : pad;
        }
      }
    }
    const row = (s.gemm.a + (r - rowStart) * s.gemm.aStride) >>> 2;
    for (let w = 0; w < words; w++) {
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      let p4 = 0;
      let p5 = 0;
      let p6 = 0;
      let p7 = 0;
      for (let j = 0; j < 8; j++) {
        const q = g32[8 * w + j]!;
        if (q === 0) continue;
        const i = 4 * j;
        p0 |= gather4(q) << i;
        p1 |= gather4(q >>> 1) << i;
        p2 |= gather4(q >>> 2) << i;
        p3 |= gather4(q >>> 3) << i;
        p4 |= gather4(q >>> 4) << i;
        p5 |= gather4(q >>> 5) << i;
        p6 |= gather4(q >>> 6) << i;
        p7 |= gather4(q >>> 7) << i;
      }
      storePlanes(u32, row + w, kWords, p0, p1, p2, p3, p4, p5, p6, p7);
    }
    for (let w = words; w < kWords; w++) storePlanes(u32, row + w, kWords, 0, 0, 0, 0, 0, 0, 0, 0);
  }
}

/** Bit 0 of each byte of x, as 4 bits: the multiply moves byte j's bit to bit 24 + j, no carries. */
function gather4(x: number): number {
  return Math.imul(x & 0x01010101, 0x01020408) >>> 24;
}

function storePlanes(
  u32: Uint32Array,
  at: number,
  kWords: number,
  p0: number,
  p1: number,
  p2: number,
  p3: number,
  p4: number,
  p5: number,
  p6: number,
  p7: number,
): void {
  u32[at] = p0;
  u32[at + kWords] = p1;
  u32[at + 2 * kWords] = p2;
  u32[at + 3 * kWords] = p3;
  u32[at + 4 * kWords] = p4;
  u32[at + 5 * kWords] = p5;
  u32[at + 6 * kWords] = p6;
  u32[at + 7 * kWords] = p7;
}
