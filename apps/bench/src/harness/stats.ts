import type { Summary } from "./types.js";

function sortedCopy(values: readonly number[]): number[] {
  return Array.from(values).sort((a, b) => a - b);
}

function assertSamples(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what}: no samples`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}: sample ${i} is ${values[i]}`);
  }
}

/**
 * The q-quantile of already sorted values with linear interpolation between order statistics
 * (numpy's default, R type 7): position q·(n − 1).
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  assertSamples(sorted, "quantile");
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(sortedCopy(values), q);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median absolute deviation from the median (not scaled to a normal σ). */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

export function summarize(values: readonly number[]): Summary {
  assertSamples(values, "summarize");
  const sorted = sortedCopy(values);
  const m = quantileSorted(sorted, 0.5);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
    median: m,
    p25: quantileSorted(sorted, 0.25),
    p75: quantileSorted(sorted, 0.75),
    mad: median(sorted.map((v) => Math.abs(v - m))),
  };
}
