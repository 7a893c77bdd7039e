// The backends every kernel test runs under, each forced with setBackend.
import type { KernelBackend } from "../src/index.js";

export const BACKENDS: KernelBackend[] = ["typescript", "wasm-i64", "wasm-simd"];

/** ±1-ish random floats (sign is what matters) from a seeded xorshift, so failures reproduce. */
export function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

export function randomBytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from(randomValues(n, seed), (v) => Math.floor((v + 1) * 128) & 255);
}
