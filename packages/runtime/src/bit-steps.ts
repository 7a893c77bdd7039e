import type { MemoryViews } from "./memory-views.js";
import { floatMaxPoolRows } from "./pool-steps.js";
import { PoolWindow } from "./pool-window.js";
import type {
  CopyWordsStep,
  EncodePlanesStep,
  GenericPoolStep,
  Im2colConvStep,
  XorMaskStep,
} from "./plan.js";

// Layout steps over packed bits that `@onebit/bitops` has no kernel for (unequal strides, minMask
// pools, row re-striding, dense bit-plane encoding), in plain TypeScript over the engine's memory.

export function encodePlanesRows(
  v: MemoryViews,
  s: EncodePlanesStep,
  rowStart: number,
  rowEnd: number,
): void {
  const { u8, u32 } = v;
  const kw = s.kWords;
  const rowWords = 8 * kw;
  const e = s.elements;
  for (let m = rowStart; m < rowEnd; m++) {
    const row = (s.dst >>> 2) + m * rowWords;
    const src = s.src + m * e;
    // 32 bytes at a time: bit n of byte i goes to bit i of plane n's word, accumulated in registers.
    for (let w = 0; w < kw; w++) {
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      let p4 = 0;
      let p5 = 0;
      let p6 = 0;
      let p7 = 0;
      const end = Math.min(32, e - 32 * w);
      for (let i = 0; i < end; i++) {
        const x = u8[src + 32 * w + i]!;
        p0 |= (x & 1) << i;
        p1 |= ((x >>> 1) & 1) << i;
        p2 |= ((x >>> 2) & 1) << i;
        p3 |= ((x >>> 3) & 1) << i;
        p4 |= ((x >>> 4) & 1) << i;
        p5 |= ((x >>> 5) & 1) << i;
        p6 |= ((x >>> 6) & 1) << i;
        p7 |= (x >>> 7) << i;
      }
      u32[row + w] = p0;
      u32[row + kw + w] = p1;
      u32[row + 2 * kw + w] = p2;
      u32[row + 3 * kw + w] = p3;
      u32[row + 4 * kw + w] = p4;
      u32[row + 5 * kw + w] = p5;
      u32[row + 6 * kw + w] = p6;
      u32[row + 7 * kw + w] = p7;
    }
  }
}

/**
 * Writes the binary im2col rows of output pixels [rowStart, rowEnd) into `scratch` (row i = pixel
 * rowStart + i, `rowWords` words each): each tap's `wpp` words, padded taps one-padded (+1 bits,
 * channel padding stays 0). For any stride; square strides use `@onebit/bitops`' WASM im2col.
 */
export function im2colRows(
  v: MemoryViews,
  s: Im2colConvStep,
  scratch: number,
  rowWords: number,
  rowStart: number,
  rowEnd: number,
): void {
  const u32 = v.u32;
  const outHW = s.outH * s.outW;
  const wpp = s.wpp;
  const lastMask = s.channels % 32 === 0 ? 0xffffffff : (1 << (s.channels % 32)) - 1;
  const input = s.input >>> 2;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const row = (scratch >>> 2) + (r - rowStart) * rowWords;
    let d = row;
    for (let dy = 0; dy < s.kernelH; dy++) {
      const iy = oy * s.strideH - s.padTop + dy;
      for (let dx = 0; dx < s.kernelW; dx++) {
        const ix = ox * s.strideW - s.padLeft + dx;
        if (iy >= 0 && iy < s.height && ix >= 0 && ix < s.width) {
          const src = input + ((b * s.height + iy) * s.width + ix) * wpp;
          for (let i = 0; i < wpp; i++) u32[d + i] = u32[src + i]!;
        } else {
          for (let i = 0; i < wpp - 1; i++) u32[d + i] = 0xffffffff;
          u32[d + wpp - 1] = lastMask;
        }
        d += wpp;
      }
    }
    for (; d < row + rowWords; d++) u32[d] = 0;
  }
}

export function genericPoolRows(v: MemoryViews, s: GenericPoolStep, rowStart: number, rowEnd: number): void {
  if (s.kind === "float32") {
    floatMaxPoolRows(v, s, rowStart, rowEnd);
    return;
  }
  const d = s.depth;
  const win = new PoolWindow(s);
  for (let r = rowStart; r < rowEnd; r++) {
    const { sample, y0, y1, x0, x1 } = win.at(r);
    const img = (s.input >>> 2) + sample * s.height * s.width * d;
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
