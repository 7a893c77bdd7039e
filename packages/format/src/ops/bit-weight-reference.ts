import type { Tensor } from "../tensor.js";
import { bitOf } from "./op.js";
import { type ConvGeometry, convolve } from "./window-ref.js";

/**
 * Reference dot products against ±1 weights packed in a bit tensor, shared by the binary ops and
 * their exact 8-bit-input (bit-plane) counterparts: only the input values differ between them.
 */

/** z[o] = Σ x[i]·w[o][i] for weights [units, k]. */
export function bitWeightDots(x: ArrayLike<number>, weights: Tensor): Float64Array {
  const [units, k] = weights.shape as [number, number];
  const z = new Float64Array(units);
  for (let o = 0; o < units; o++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += x[i]! * bitOf(weights, o, i);
    z[o] = s;
  }
  return z;
}

/** `convolve` with weights [outChannels, kh, kw, C/groups]; outChannels is taken from them. */
export function bitWeightConvolve(
  g: Omit<ConvGeometry, "outChannels">,
  x: ArrayLike<number>,
  weights: Tensor,
  padValue: number | null,
): { data: Float64Array; outH: number; outW: number; units: number } {
  const units = weights.shape[0]!;
  const kw = g.kernel[1];
  const kh = g.kernel[0];
  const result = convolve(
    { ...g, outChannels: units },
    x,
    (o, i, j, ci) => bitOf(weights, (o * kh + i) * kw + j, ci),
    padValue,
  );
  return { ...result, units };
}
