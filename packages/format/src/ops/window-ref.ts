import type { Padding, Pair } from "../graph.js";
import { axis } from "./op.js";

/** A convolution's geometry and operands for `convolve`. */
export interface ConvGeometry {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly outChannels: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly padding: Padding;
}

/**
 * The plain cross-correlation every conv op's reference uses: z[y][x][o] = Σ w[o][i][j][ci]·in(…)
 * summed in float64 (exact for integer operands). `weights` is laid out [outChannels, kh, kw, C/groups].
 * Positions outside the image hold `padValue`, or are left out of the sum when it is null (binary
 * zero padding).
 */
export function convolve(
  g: ConvGeometry,
  input: ArrayLike<number>,
  weights: ArrayLike<number>,
  padValue: number | null,
): { data: Float64Array; outH: number; outW: number } {
  const rows = axis(g.h, g.kernel[0], g.stride[0], g.dilation[0], g.padding);
  const cols = axis(g.w, g.kernel[1], g.stride[1], g.dilation[1], g.padding);
  const [kh, kw] = g.kernel;
  const cIn = g.c / g.groups;
  const oPer = g.outChannels / g.groups;
  const out = new Float64Array(rows.out * cols.out * g.outChannels);
  for (let oy = 0; oy < rows.out; oy++) {
    for (let ox = 0; ox < cols.out; ox++) {
      for (let o = 0; o < g.outChannels; o++) {
        const channel0 = Math.floor(o / oPer) * cIn;
        let wi = o * kh * kw * cIn;
        let z = 0;
        for (let i = 0; i < kh; i++) {
          const y = oy * g.stride[0] + i * g.dilation[0] - rows.padBefore;
          for (let j = 0; j < kw; j++, wi += cIn) {
            const x = ox * g.stride[1] + j * g.dilation[1] - cols.padBefore;
            if (y >= 0 && y < g.h && x >= 0 && x < g.w) {
              const at = (y * g.w + x) * g.c + channel0;
              for (let ci = 0; ci < cIn; ci++) z += input[at + ci]! * weights[wi + ci]!;
            } else if (padValue !== null) {
              for (let ci = 0; ci < cIn; ci++) z += padValue * weights[wi + ci]!;
            }
          }
        }
        out[(oy * cols.out + ox) * g.outChannels + o] = z;
      }
    }
  }
  return { data: out, outH: rows.out, outW: cols.out };
}

/**
 * A pooling window's reduction over the input positions it covers (padding left out), per channel:
 * `reduce(acc, value)` from `init`, then `finish(acc, count)`.
 */
export function poolWindows(
  h: number,
  w: number,
  c: number,
  kernel: Pair,
  stride: Pair,
  padding: Padding,
  input: ArrayLike<number>,
  init: number,
  reduce: (acc: number, v: number) => number,
  finish: (acc: number, count: number) => number,
): { data: Float64Array; outH: number; outW: number } {
  const rows = axis(h, kernel[0], stride[0], 1, padding);
  const cols = axis(w, kernel[1], stride[1], 1, padding);
  const out = new Float64Array(rows.out * cols.out * c);
  for (let oy = 0; oy < rows.out; oy++) {
    const y0 = Math.max(oy * stride[0] - rows.padBefore, 0);
    const y1 = Math.min(oy * stride[0] - rows.padBefore + kernel[0], h);
    for (let ox = 0; ox < cols.out; ox++) {
      const x0 = Math.max(ox * stride[1] - cols.padBefore, 0);
      const x1 = Math.min(ox * stride[1] - cols.padBefore + kernel[1], w);
      for (let ch = 0; ch < c; ch++) {
        let acc = init;
        for (let y = y0; y < y1; y++)
          for (let x = x0; x < x1; x++) acc = reduce(acc, input[(y * w + x) * c + ch]!);
        out[(oy * cols.out + ox) * c + ch] = finish(acc, (y1 - y0) * (x1 - x0));
      }
    }
  }
  return { data: out, outH: rows.out, outW: cols.out };
}

/** Exact count of input positions all windows of one axis cover (SPEC.md §5.7). */
export function windowReads(inSize: number, kernel: number, stride: number, padding: Padding): number {
  const a = axis(inSize, kernel, stride, 1, padding);
  let sum = 0;
  for (let o = 0; o < a.out; o++) {
    const start = o * stride - a.padBefore;
    sum += Math.min(start + kernel, inSize) - Math.max(start, 0);
  }
  return sum;
}
