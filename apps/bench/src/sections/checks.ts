import { Rng } from "@onebit/tensor";
import type { CheckResult } from "../harness/types.js";

/**
 * Correctness gates. Full references of the big shapes would cost more than the benchmark itself, so the
 * checks recompute a fixed set of sampled output entries in float64 (including the corners, where
 * blocking and tail bugs show up) and compare everything else for length and finiteness.
 */

const OK: CheckResult = { ok: true };

/** (row, col) pairs to verify in an rows×cols output: the four corners plus `count` seeded picks. */
export function samplePositions(rows: number, cols: number, count = 24): [number, number][] {
  const picks: [number, number][] = [
    [0, 0],
    [0, cols - 1],
    [rows - 1, 0],
    [rows - 1, cols - 1],
  ];
  const rng = new Rng(rows * 7919 + cols * 104729);
  for (let i = 0; i < count; i++) picks.push([rng.int(rows), rng.int(cols)]);
  return picks;
}

export function checkLength(
  output: ArrayLike<number> | undefined,
  expected: number,
  what: string,
): CheckResult {
  if (!output || typeof output.length !== "number") return { ok: false, reason: `${what}: no output array` };
  if (output.length !== expected) {
    return { ok: false, reason: `${what}: output has ${output.length} values, expected ${expected}` };
  }
  for (let i = 0; i < output.length; i++) {
    if (!Number.isFinite(output[i])) return { ok: false, reason: `${what}: output[${i}] is ${output[i]}` };
  }
  return OK;
}

/**
 * Checks C (m×n, row-major) = A (m×k) · B where `bAt(kk, col)` reads B's (kk, col) entry, on sampled
 * entries. Tolerance scales with Σ|a·b| (float32 accumulation in any order stays well inside it; a
 * wrong index or a dropped tail does not).
 */
export function checkFloatProduct(
  c: ArrayLike<number>,
  a: Float32Array,
  bAt: (kk: number, col: number) => number,
  m: number,
  n: number,
  k: number,
  what: string,
  relTol = 1e-4,
): CheckResult {
  const shape = checkLength(c, m * n, what);
  if (!shape.ok) return shape;
  for (const [r, col] of samplePositions(m, n)) {
    let exact = 0;
    let magnitude = 0;
    for (let kk = 0; kk < k; kk++) {
      const p = a[r * k + kk]! * bAt(kk, col);
      exact += p;
      magnitude += Math.abs(p);
    }
    const got = c[r * n + col]!;
    if (Math.abs(got - exact) > relTol * magnitude + 1e-6) {
      return { ok: false, reason: `${what}: C[${r}][${col}] = ${got}, expected ${exact.toPrecision(7)}` };
    }
  }
  return OK;
}

/** Checks integer outputs exactly at sampled (row, col) positions against `expected(row, col)`. */
export function checkExact(
  c: ArrayLike<number>,
  m: number,
  n: number,
  expected: (row: number, col: number) => number,
  what: string,
): CheckResult {
  const shape = checkLength(c, m * n, what);
  if (!shape.ok) return shape;
  for (const [r, col] of samplePositions(m, n)) {
    const want = expected(r, col);
    const got = c[r * n + col]!;
    if (got !== want) return { ok: false, reason: `${what}: C[${r}][${col}] = ${got}, expected ${want}` };
  }
  return OK;
}
