import { Rng } from "../src/rng.js";

export function randomArray(n: number, seed: number): Float32Array {
  return new Rng(seed).uniformArray(n, -1, 1);
}

/** Max |a − b| relative to the scale of the reference, so long sums of float32 terms compare fairly. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let err = 0;
  for (let i = 0; i < expected.length; i++) err = Math.max(err, Math.abs(actual[i]! - expected[i]!));
  return err / scale;
}
