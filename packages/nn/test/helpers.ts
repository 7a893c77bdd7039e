import { Rng } from "@onebit/tensor";
import { expect } from "vitest";
import type { Layer } from "../src/index.js";
import { type Shape, sizeOf } from "../src/shape.js";

/** Builds a standalone layer (outside a model) with a seeded generator. */
export function buildLayer<L extends Layer>(layer: L, inputShape: Shape, seed = 1): L {
  let i = 0;
  if (!layer.built) layer.build(inputShape, { rng: new Rng(seed), uniqueName: (p) => `${p}_${++i}` });
  return layer;
}

export function randomArray(n: number, rng: Rng, lo = -1, hi = 1): Float32Array {
  return rng.uniformArray(n, lo, hi);
}

/** Σ r·y in float64: a scalar "loss" whose gradient with respect to y is r. */
export function project(y: Float32Array, r: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]! * r[i]!;
  return s;
}

/**
 * Central finite differences of f with respect to values[i] (perturbed in place, restored);
 * returned in float64.
 */
export function numericGrad(
  values: Float32Array,
  f: () => number,
  eps = 1e-2,
  indices?: number[],
): Float64Array {
  const out = new Float64Array(values.length);
  const which = indices ?? Array.from(values, (_, i) => i);
  for (const i of which) {
    const orig = values[i]!;
    values[i] = orig + eps;
    const plus = f();
    values[i] = orig - eps;
    const minus = f();
    values[i] = orig;
    // Use the actually representable step (float32 rounding of orig ± eps).
    const hi = Math.fround(orig + eps);
    const lo = Math.fround(orig - eps);
    out[i] = (plus - minus) / (hi - lo);
  }
  return out;
}

/** max |a − b| / max(1, |b|) over the listed indices. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>, indices?: number[]): number {
  let worst = 0;
  const which = indices ?? Array.from({ length: a.length }, (_, i) => i);
  for (const i of which) {
    const e = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (e > worst) worst = e;
  }
  return worst;
}

/** `count` distinct random indices below n (all of them when n ≤ count). */
export function sampleIndices(n: number, count: number, rng: Rng): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from(rng.permutation(n).subarray(0, count));
}

/**
 * Checks a layer's backward against central finite differences of L = Σ r·forward(x) for its input
 * and every parameter (a sample of entries for large tensors).
 */
export function checkLayerGradients(
  layer: Layer,
  inputShape: Shape,
  batch: number,
  options: { training?: boolean; seed?: number; tolerance?: number; eps?: number; input?: Float32Array } = {},
): void {
  const rng = new Rng(options.seed ?? 7);
  buildLayer(layer, inputShape, options.seed ?? 7);
  const training = options.training ?? true;
  const x = options.input ?? rng.uniformArray(batch * sizeOf(inputShape), -1, 1);
  const outSize = batch * sizeOf(layer.outputShape);
  const r = rng.uniformArray(outSize, -1, 1);
  const dropRng = new Rng(99);
  const loss = () => project(layer.forward(x, batch, { training, rng: dropRng.clone() }), r);
  layer.forward(x, batch, { training, rng: dropRng.clone() });
  const gx = layer.backward(r, batch, true)!.slice();
  const grads = layer.params().map((p) => p.grad.slice());
  const eps = options.eps ?? 1e-2;
  const tol = options.tolerance ?? 2e-3;
  const xi = sampleIndices(x.length, 40, rng);
  expect(maxRelError(gx, numericGrad(x, loss, eps, xi), xi)).toBeLessThan(tol);
  layer.params().forEach((p, k) => {
    const idx = sampleIndices(p.value.length, 30, rng);
    expect(maxRelError(grads[k]!, numericGrad(p.value, loss, eps, idx), idx), p.name).toBeLessThan(tol);
  });
}

/** Each tensor's exact float bits, for bit-for-bit comparisons of model states. */
export function stateBits(s: Record<string, Float32Array>): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(s).map(([k, v]) => [k, Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length))]),
  );
}
