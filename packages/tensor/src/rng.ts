import { TensorError, assertDimension } from "./errors.js";

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** SplitMix32 step, used only to spread a seed over the four state words. */
function splitMix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Seeded pseudo-random generator: xoshiro128** (Blackman & Vigna), 128-bit state, period 2¹²⁸ − 1.
 * The same seed gives the same sequence on every platform.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    if (!Number.isFinite(seed))
      throw new TensorError("INVALID_ARGUMENT", `Rng seed must be finite, got ${seed}`);
    // Fold integer seeds beyond 32 bits in, so 2³² and 0 differ.
    const high = Math.floor(Math.trunc(seed) / TWO_POW_32) | 0;
    const mix = { s: (Math.trunc(seed) | 0) ^ Math.imul(high, 0x27d4eb2d) };
    this.s0 = splitMix32(mix);
    this.s1 = splitMix32(mix);
    this.s2 = splitMix32(mix);
    this.s3 = splitMix32(mix);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [lo, hi) (default [0, 1)). */
  uniform(lo = 0, hi = 1): number {
    const v = lo + (hi - lo) * (this.nextUint32() * INV_TWO_POW_32);
    // Rounding can land exactly on hi for some bounds; redraw (rare) to keep the interval half-open.
    return v < hi || !(lo < hi) ? v : this.uniform(lo, hi);
  }

  /** Unbiased integer in [0, n), 1 ≤ n ≤ 2³² (rejection of the short last bucket). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new TensorError("INVALID_ARGUMENT", `Rng.int bound must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Normal deviate (Box–Muller; uses two uniform draws). */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.nextUint32() * INV_TWO_POW_32; // (0, 1], so log is finite
    const u2 = this.nextUint32() * INV_TWO_POW_32;
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(array: T[] | Int32Array | Uint32Array | Float32Array): void {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i]!;
      array[i] = array[j]!;
      array[j] = tmp;
    }
  }

  /** A random permutation of 0 … n−1. */
  permutation(n: number): Int32Array {
    assertDimension(n, "Rng.permutation n");
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** n uniform values on [lo, hi) (float32-rounded). */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    assertDimension(n, "Rng.uniformArray n");
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let v = Math.fround(this.uniform(lo, hi));
      // float32 rounding of values just below hi can give hi itself: redraw those.
      while (v >= hi && lo < hi) v = Math.fround(this.uniform(lo, hi));
      out[i] = v;
    }
    return out;
  }

  /** n values of ±1, each with probability ½ (random binary weights and activations). */
  signs(n: number): Float32Array {
    assertDimension(n, "Rng.signs n");
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextUint32() >>> 31 ? 1 : -1;
    return out;
  }

  /** n uniform bytes (random 8-bit images). */
  bytes(n: number): Uint8Array {
    assertDimension(n, "Rng.bytes n");
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextUint32() >>> 24;
    return out;
  }

  /** n normal values; Box–Muller pairs are both used, so this differs from n calls to `normal`. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    assertDimension(n, "Rng.normalArray n");
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u1 = 1 - this.nextUint32() * INV_TWO_POW_32;
      const u2 = this.nextUint32() * INV_TWO_POW_32;
      const r = std * Math.sqrt(-2 * Math.log(u1));
      out[i] = mean + r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < n) out[i + 1] = mean + r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }

  /** The four state words (a copy); `setState` restores the sequence exactly. */
  getState(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3);
  }

  setState(state: Uint32Array): void {
    if (state.length !== 4) {
      throw new TensorError("SHAPE_MISMATCH", `Rng state must have 4 words, got ${state.length}`);
    }
    if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) {
      throw new TensorError("INVALID_ARGUMENT", "Rng state must not be all zero");
    }
    this.s0 = state[0]! | 0;
    this.s1 = state[1]! | 0;
    this.s2 = state[2]! | 0;
    this.s3 = state[3]! | 0;
  }

  /** An independent generator at the same position. */
  clone(): Rng {
    const copy = new Rng(0);
    copy.setState(this.getState());
    return copy;
  }
}
