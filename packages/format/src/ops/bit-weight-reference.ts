import type { Tensor } from "../tensor.js";
import { bitOf } from "./op.js";
import { type ConvGeometry, convolve } from "./window-ref.js";

/**
 * Reference dot products against ±1 weights packed in a bit tensor, shared by the binary ops and
 * their exact 8-bit-input (bit-plane) counterparts: only the input values differ between them.
 */

const signsOf = new WeakMap<Tensor, Int8Array>();

/** The ±1 values of a bit tensor [rows, k] as bytes, row-major; expanded once per tensor. */
export function bitSigns(weights: Tensor): Int8Array {
  let signs = signsOf.get(weights);
  if (!signs) {
    const k = weights.shape[weights.shape.length - 1]!;
    const rows = weights.shape.reduce((a, b) => a * b, 1) / Math.max(k, 1);
    signs = new Int8Array(rows * k);
    for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) signs[r * k + i] = bitOf(weights, r, i);
    signsOf.set(weights, signs);
  }
  return signs;
}

/** z[o] = Σ x[i]·w[o][i] for weights [units, k]. */
export function bitWeightDots(x: ArrayLike<number>, weights: Tensor): Float64Array {
  const [units, k] = weights.shape as [number, number];
  const signs = bitSigns(weights);
  const z = new Float64Array(units);
  for (let o = 0; o < units; o++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += x[i]! * signs[o * k + i]!;
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
  const result = convolve({ ...g, outChannels: units }, x, bitSigns(weights), padValue);
  return { ...result, units };
}
