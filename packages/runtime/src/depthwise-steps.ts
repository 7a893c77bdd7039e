import type { MemoryViews } from "./memory-views.js";
import type { Conv2dGenericStep } from "./plan.js";

/** True when every output channel reads one input channel (depthwise, any channel multiplier). */
export function isDepthwise(s: Conv2dGenericStep): boolean {
  return s.groups === s.channels;
}

/**
 * Output pixels [rowStart, rowEnd) of a depthwise float convolution. Per pixel, the window's input
 * offsets are found once; per input channel its taps (padding included) are read once into `xs` and
 * shared by the channel's `multiplier` outputs, and the 3×3 case sums with the taps in registers.
 * Each output sums its taps in the generic step's order (row, then column) in float64 with the bias
 * added last, so the result equals `depthwiseRowsReference` (and the generic step) bit for bit.
 */
export function depthwiseRows(v: MemoryViews, s: Conv2dGenericStep, rowStart: number, rowEnd: number): void {
  const f32 = v.f32;
  const c = s.channels;
  const n = s.n;
  const multiplier = n / c;
  const taps = s.kernelH * s.kernelW;
  const at = new Int32Array(taps);
  const xs = new Float64Array(taps);
  const outHW = s.outH * s.outW;
  const pad = s.padValue;
  const w0 = s.w >>> 2;
  const bias = s.bias >>> 2;
  const hasBias = s.bias !== 0;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const img = (s.x >>> 2) + b * s.height * s.width * c;
    for (let i = 0; i < s.kernelH; i++) {
      const y = oy * s.strideH + i * s.dilationH - s.padTop;
      for (let j = 0; j < s.kernelW; j++) {
        const x = ox * s.strideW + j * s.dilationW - s.padLeft;
        at[i * s.kernelW + j] =
          y >= 0 && y < s.height && x >= 0 && x < s.width ? img + (y * s.width + x) * c : -1;
      }
    }
    const out = (s.out >>> 2) + r * n;
    for (let ci = 0, o = 0; ci < c; ci++) {
      for (let t = 0; t < taps; t++) {
        const p = at[t]!;
        xs[t] = p < 0 ? pad : f32[p + ci]!;
      }
      if (taps === 9) {
        const x0 = xs[0]!;
        const x1 = xs[1]!;
        const x2 = xs[2]!;
        const x3 = xs[3]!;
        const x4 = xs[4]!;
        const x5 = xs[5]!;
        const x6 = xs[6]!;
        const x7 = xs[7]!;
        const x8 = xs[8]!;
        for (let m = 0; m < multiplier; m++, o++) {
          const wo = w0 + o * 9;
          let acc = 0 + x0 * f32[wo]!;
          acc += x1 * f32[wo + 1]!;
          acc += x2 * f32[wo + 2]!;
          acc += x3 * f32[wo + 3]!;
          acc += x4 * f32[wo + 4]!;
          acc += x5 * f32[wo + 5]!;
          acc += x6 * f32[wo + 6]!;
          acc += x7 * f32[wo + 7]!;
          acc += x8 * f32[wo + 8]!;
          f32[out + o] = acc + (hasBias ? f32[bias + o]! : 0);
        }
      } else {
        for (let m = 0; m < multiplier; m++, o++) {
          const wo = w0 + o * taps;
          let acc = 0;
          for (let t = 0; t < taps; t++) acc += xs[t]! * f32[wo + t]!;
          f32[out + o] = acc + (hasBias ? f32[bias + o]! : 0);
        }
      }
    }
  }
}

/**
 * The plain depthwise loop (the fast path's reference): output pixels [rowStart, rowEnd) of a depthwise float convolution. The window's input offsets are
 * found once per pixel; then each output channel sums its taps in a register, in the generic step's
 * order (row, then column; padding taps included) in float64 with the bias added last, so the result
 * is the generic step's bit for bit. Output o reads input channel ⌊o / multiplier⌋.
 */
export function depthwiseRowsReference(
  v: MemoryViews,
  s: Conv2dGenericStep,
  rowStart: number,
  rowEnd: number,
): void {
  const f32 = v.f32;
  const c = s.channels;
  const n = s.n;
  const multiplier = n / c;
  const taps = s.kernelH * s.kernelW;
  const at = new Int32Array(taps);
  const outHW = s.outH * s.outW;
  const pad = s.padValue;
  const w0 = s.w >>> 2;
  const bias = s.bias >>> 2;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const img = (s.x >>> 2) + b * s.height * s.width * c;
    let inside = true;
    for (let i = 0; i < s.kernelH; i++) {
      const y = oy * s.strideH + i * s.dilationH - s.padTop;
      for (let j = 0; j < s.kernelW; j++) {
        const x = ox * s.strideW + j * s.dilationW - s.padLeft;
        const ok = y >= 0 && y < s.height && x >= 0 && x < s.width;
        at[i * s.kernelW + j] = ok ? img + (y * s.width + x) * c : -1;
        inside &&= ok;
      }
    }
    const out = (s.out >>> 2) + r * n;
    for (let o = 0; o < n; o++) {
      const ci = Math.floor(o / multiplier);
      const wo = w0 + o * taps;
      let acc = 0;
      if (inside) for (let t = 0; t < taps; t++) acc += f32[at[t]! + ci]! * f32[wo + t]!;
      else
        for (let t = 0; t < taps; t++) {
          const p = at[t]!;
          acc += (p < 0 ? pad : f32[p + ci]!) * f32[wo + t]!;
        }
      f32[out + o] = acc + (s.bias ? f32[bias + o]! : 0);
    }
  }
}
