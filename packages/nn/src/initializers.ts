import type { Rng } from "@onebit/tensor";

/**
 * Latent binary weights: U(−1, 1), from the model's seeded generator (BinaryNet's initialization; see
 * https://github.com/onebit-ml/onebit/blob/main/REFERENCE.md#latent-weights).
 */
export function uniformLatent(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** Glorot/Xavier uniform U(−l, l), l = √(6/(fanIn + fanOut)) for real-valued kernels. */
export function glorotUniform(n: number, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-limit, limit);
  return out;
}

/** The BNN paper's per-layer learning-rate scale for binary kernels: 1/√(1.5/(fanIn + fanOut)). */
export function glorotLrScale(fanIn: number, fanOut: number): number {
  return 1 / Math.sqrt(1.5 / (fanIn + fanOut));
}
