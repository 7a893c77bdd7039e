import type { MemoryViews } from "./memory-views.js";
import type {
  CopyWordsStep,
  EncodePlanesStep,
  GenericPoolStep,
  Im2colConvStep,
  XorMaskStep,
} from "./plan.js";

// Layout steps over packed bits that `@onebit/bitops` has no kernel for (bit-plane im2col, any
// stride, minMask pools, row re-striding), in plain TypeScript over the engine's memory.

/** Sets bit `c` of plane n in `planes` rows (8 planes × kWords words at word `row`) for byte `x`. */
function scatterByte(
  u32: Uint32Array,
  row: number,
  kWords: number,
  word: number,
  bit: number,
  x: number,
): void {
  for (let n = 0; x !== 0; n++, x >>>= 1) if (x & 1) u32[row + n * kWords + word]! |= bit;
}

export function encodePlanesRows(
  v: MemoryViews,
  s: EncodePlanesStep,
  rowStart: number,
  rowEnd: number,
): void {
  const { u8, u32 } = v;
  const rowWords = 8 * s.kWords;
  for (let m = rowStart; m < rowEnd; m++) {
    const row = (s.dst >>> 2) + m * rowWords;
    u32.fill(0, row, row + rowWords);
    const src = s.src + m * s.elements;
    for (let i = 0; i < s.elements; i++) {
      const x = u8[src + i]!;
      if (x !== 0) scatterByte(u32, row, s.kWords, i >>> 5, 1 << (i & 31), x);
    }
  }
}

/**
 * Writes the im2col rows of output pixels [rowStart, rowEnd) into `scratch` (row i = pixel rowStart + i,
 * `rowWords` words each). Bits: each tap's `wpp` words, padded taps one-padded (+1 bits, channel
 * padding stays 0). uint8: each tap's bytes as 8 bit planes of `kWords` words, padded taps = padValue.
 */
export function im2colRows(
  v: MemoryViews,
  s: Im2colConvStep,
  scratch: number,
  rowWords: number,
  kWords: number,
  rowStart: number,
  rowEnd: number,
): void {
  const { u8, u32 } = v;
  const outHW = s.outH * s.outW;
  const lastMask = s.channels % 32 === 0 ? 0xffffffff : (1 << (s.channels % 32)) - 1;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const row = (scratch >>> 2) + (r - rowStart) * rowWords;
    u32.fill(0, row, row + rowWords);
    let tapWord = 0;
    for (let dy = 0; dy < s.kernelH; dy++) {
      const iy = oy * s.strideH - s.padTop + dy;
      for (let dx = 0; dx < s.kernelW; dx++) {
        const ix = ox * s.strideW - s.padLeft + dx;
        const inside = iy >= 0 && iy < s.height && ix >= 0 && ix < s.width;
        const pixel = (b * s.height + iy) * s.width + ix;
        if (s.source === "bits") {
          const d = row + tapWord;
          if (inside)
            u32.copyWithin(d, (s.input >>> 2) + pixel * s.wpp, (s.input >>> 2) + (pixel + 1) * s.wpp);
          else {
            u32.fill(0xffffffff, d, d + s.wpp - 1);
            u32[d + s.wpp - 1] = lastMask;
          }
        } else {
          const src = s.input + pixel * s.channels;
          for (let c = 0; c < s.channels; c++) {
            const x = inside ? u8[src + c]! : s.padValue;
            if (x !== 0) scatterByte(u32, row, kWords, tapWord + (c >>> 5), 1 << (c & 31), x);
          }
        }
        tapWord += s.tapWords;
      }
    }
  }
}

export function genericPoolRows(v: MemoryViews, s: GenericPoolStep, rowStart: number, rowEnd: number): void {
  const outHW = s.outH * s.outW;
  const d = s.depth;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const y0 = Math.max(oy * s.strideH - s.padTop, 0);
    const y1 = Math.min(oy * s.strideH - s.padTop + s.poolH, s.height);
    const x0 = Math.max(ox * s.strideW - s.padLeft, 0);
    const x1 = Math.min(ox * s.strideW - s.padLeft + s.poolW, s.width);
    const img = (s.input >>> 2) + b * s.height * s.width * d;
    const out = (s.out >>> 2) + r * d;
    for (let i = 0; i < d; i++) {
      if (s.kind === "bits") {
        let acc = 0;
        for (let y = y0; y < y1; y++)
          for (let x = x0; x < x1; x++) acc |= v.u32[img + (y * s.width + x) * d + i]!;
        v.u32[out + i] = acc;
      } else {
        let acc = Number.NEGATIVE_INFINITY;
        for (let y = y0; y < y1; y++)
          for (let x = x0; x < x1; x++) acc = Math.max(acc, v.f32[img + (y * s.width + x) * d + i]!);
        v.f32[out + i] = acc;
      }
    }
  }
}

export function xorMaskRows(v: MemoryViews, s: XorMaskStep, rowStart: number, rowEnd: number): void {
  const u32 = v.u32;
  const mask = s.mask >>> 2;
  for (let r = rowStart; r < rowEnd; r++) {
    const p = (s.ptr >>> 2) + r * s.wpp;
    for (let w = 0; w < s.wpp; w++) u32[p + w]! ^= u32[mask + w]!;
  }
}

export function copyWordsRows(v: MemoryViews, s: CopyWordsStep, rowStart: number, rowEnd: number): void {
  const u32 = v.u32;
  for (let m = rowStart; m < rowEnd; m++) {
    const src = (s.src >>> 2) + m * s.srcStride;
    const dst = (s.dst >>> 2) + m * s.dstStride;
    u32.copyWithin(dst, src, src + s.words);
    u32.fill(0, dst + s.words, dst + s.dstStride);
  }
}
