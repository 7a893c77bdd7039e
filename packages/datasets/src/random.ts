import { DatasetError, assertCount } from "./errors.js";

/** Any seeded generator of uniform 32-bit unsigned integers (e.g. the RNG of @onebit/tensor). */
export interface RandomSource {
  nextUint32(): number;
}

/** A uniform integer in [0, n), without modulo bias: redraws the top sliver of the 2^32 range. */
export function randomBelow(rng: RandomSource, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) {
    throw new DatasetError("INVALID_ARGUMENT", `randomBelow: n must be an integer in [1, 2^32], got ${n}`);
  }
  const limit = 2 ** 32 - (2 ** 32 % n);
  for (;;) {
    const x = rng.nextUint32() >>> 0;
    if (x < limit) return x % n;
  }
}

/** A uniformly random permutation of 0…count−1 (Fisher–Yates), deterministic given the generator. */
export function permutation(count: number, rng: RandomSource): Uint32Array {
  assertCount(count, "count");
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = randomBelow(rng, i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
