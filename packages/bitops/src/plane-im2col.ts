import type { PlaneConvArgs } from "./kernels/kernel-args.js";

/**
 * The 8-bit im2col of a bit-plane convolution (the layout every backend writes, and its reference):
 * output pixels [rowStart, rowEnd) into the scratch rows at `args.gemm.a` (row i = pixel
 * rowStart + i, `gemm.aStride` bytes apart), each 8 bit planes of `gemm.kWords` words. Tap t,
 * channel c of the window is bit t·channels + c (densely packed); padded taps read the byte
 * `padValue`; bits past K are zero.
 *
 * Bytes are gathered 4 at a time into one word, then each plane takes its 4 bits with one multiply
 * (bit n of each byte lands in bits 24..27), instead of 8 shift-ors per byte; zero groups (most of
 * an MNIST image) cost a test.
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
  const imageBytes = height * width * c;
  const lineBytes = width * c;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / outW);
    const ox = rem - oy * outW;
    const y0 = oy * strideH - padTop;
    const x0 = ox * strideW - padLeft;
    const inside = y0 >= 0 && y0 + kernelH <= height && x0 >= 0 && x0 + kernelW <= width;
    const image = input + b * imageBytes;
    const row = (s.gemm.a + (r - rowStart) * s.gemm.aStride) >>> 2;
    let w = 0;
    let i = 0; // bit index in the current word of the first byte in `q`
    let q = 0; // up to 4 pending bytes, byte j = bit i + j
    let shift = 0;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    let p4 = 0;
    let p5 = 0;
    let p6 = 0;
    let p7 = 0;
    for (let dy = 0; dy < kernelH; dy++) {
      const iy = y0 + dy;
      const lineIn = iy >= 0 && iy < height;
      let at = image + iy * lineBytes + x0 * c;
      for (let dx = 0; dx < kernelW; dx++, at += c) {
        const ix = x0 + dx;
        const valid = inside || (lineIn && ix >= 0 && ix < width);
        for (let ch = 0; ch < c; ch++) {
          q |= (valid ? u8[at + ch]! : pad) << shift;
          shift += 8;
          if (shift === 32) {
            if (q !== 0) {
              p0 |= gather4(q) << i;
              p1 |= gather4(q >>> 1) << i;
              p2 |= gather4(q >>> 2) << i;
              p3 |= gather4(q >>> 3) << i;
              p4 |= gather4(q >>> 4) << i;
              p5 |= gather4(q >>> 5) << i;
              p6 |= gather4(q >>> 6) << i;
              p7 |= gather4(q >>> 7) << i;
              q = 0;
            }
            shift = 0;
            i += 4;
            if (i === 32) {
              storePlanes(u32, row + w, kWords, p0, p1, p2, p3, p4, p5, p6, p7);
              w++;
              i = 0;
              p0 = p1 = p2 = p3 = p4 = p5 = p6 = p7 = 0;
            }
          }
        }
      }
    }
    if (shift > 0 && q !== 0) {
      p0 |= gather4(q) << i;
      p1 |= gather4(q >>> 1) << i;
      p2 |= gather4(q >>> 2) << i;
      p3 |= gather4(q >>> 3) << i;
      p4 |= gather4(q >>> 4) << i;
      p5 |= gather4(q >>> 5) << i;
      p6 |= gather4(q >>> 6) << i;
      p7 |= gather4(q >>> 7) << i;
    }
    if (shift > 0 || i > 0) {
      storePlanes(u32, row + w, kWords, p0, p1, p2, p3, p4, p5, p6, p7);
      w++;
    }
    for (; w < kWords; w++) storePlanes(u32, row + w, kWords, 0, 0, 0, 0, 0, 0, 0, 0);
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
