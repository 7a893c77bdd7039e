import type { MemoryViews } from "./memory-views.js";
import type { Conv2dGenericStep } from "./plan.js";

/** True when every output channel reads one input channel (depthwise, any channel multiplier). */
export function isDepthwise(s: Conv2dGenericStep): boolean {
  return s.groups === s.channels;
}

/**
 * Output pixels [rowStart, rowEnd) of a depthwise float convolution with the channel loop innermost
 * over NHWC, so each tap reads one contiguous run of channels. Each channel still sums its taps in the
 * generic step's order (row, then column; padding taps included) in float64 and adds the bias last,
 * so the result is the generic step's bit for bit.
 */
export function depthwiseRows(v: MemoryViews, s: Conv2dGenericStep, rowStart: number, rowEnd: number): void {
  const f32 = v.f32;
  const c = s.channels;
  const n = s.n;
  const taps = s.kernelH * s.kernelW;
  // Weights [n, kh, kw, 1] transposed to [kh·kw, n] for contiguous per-tap reads; output o reads
  // input channel ⌊o / multiplier⌋.
  const w = new Float64Array(taps * n);
  for (let o = 0; o < n; o++) for (let t = 0; t < taps; t++) w[t * n + o] = f32[(s.w >>> 2) + o * taps + t]!;
  const from = new Int32Array(n);
  for (let o = 0; o < n; o++) from[o] = Math.floor(o / (n / c));
  const acc = new Float64Array(n);
  const outHW = s.outH * s.outW;
  const pad = s.padValue;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const img = (s.x >>> 2) + b * s.height * s.width * c;
    acc.fill(0);
    for (let i = 0; i < s.kernelH; i++) {
      const y = oy * s.strideH + i * s.dilationH - s.padTop;
      for (let j = 0; j < s.kernelW; j++) {
        const x = ox * s.strideW + j * s.dilationW - s.padLeft;
        const wt = (i * s.kernelW + j) * n;
        if (y >= 0 && y < s.height && x >= 0 && x < s.width) {
          const px = img + (y * s.width + x) * c;
          if (n === c) for (let o = 0; o < n; o++) acc[o]! += f32[px + o]! * w[wt + o]!;
          else for (let o = 0; o < n; o++) acc[o]! += f32[px + from[o]!]! * w[wt + o]!;
        } else {
          for (let o = 0; o < n; o++) acc[o]! += pad * w[wt + o]!;
        }
      }
    }
    const out = (s.out >>> 2) + r * n;
    const bias = s.bias >>> 2;
    for (let o = 0; o < n; o++) f32[out + o] = acc[o]! + (s.bias ? f32[bias + o]! : 0);
  }
}
