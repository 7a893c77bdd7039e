import { settled } from "../src/harness/measure.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mad, median, quantile, summarize } from "../src/harness/stats.js";

describe("statistics on known samples", () => {
  it("median of odd and even counts, in any order", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it("quantiles interpolate linearly between order statistics (numpy's default)", () => {
    const xs = [1, 2, 3, 4];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile(xs, 0.75)).toBeCloseTo(3.25, 12);
    expect(quantile(xs, 1)).toBe(4);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
  });

  it("MAD is the median distance from the median", () => {
    // median 2; distances 1 1 0 0 2 4 7 → median 1
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    expect(mad([5, 5, 5])).toBe(0);
  });

  it("summarize gives every figure of a known sample", () => {
    expect(summarize([0.004, 0.001, 0.003, 0.002, 0.01])).toEqual({
      n: 5,
      min: 0.001,
      max: 0.01,
      mean: 0.004,
      median: 0.003,
      p25: 0.002,
      p75: 0.004,
      mad: 0.001,
    });
  });

  it("rejects empty samples, non-finite samples and q outside [0, 1]", () => {
    expect(() => summarize([])).toThrow(/no samples/);
    expect(() => summarize([1, Number.NaN])).toThrow(/sample 1 is NaN/);
    expect(() => median([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/q must be in \[0, 1\]/);
  });

  it("properties: quantiles are ordered, bounded, order-independent; MAD ≤ range", () => {
    const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(sample, fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const s = summarize(xs);
        expect(s.min).toBeLessThanOrEqual(s.p25);
        expect(s.p25).toBeLessThanOrEqual(s.median);
        expect(s.median).toBeLessThanOrEqual(s.p75);
        expect(s.p75).toBeLessThanOrEqual(s.max);
        const v = quantile(xs, q);
        expect(v).toBeGreaterThanOrEqual(s.min);
        expect(v).toBeLessThanOrEqual(s.max);
        expect(median([...xs].reverse())).toBe(s.median);
        expect(s.mad).toBeLessThanOrEqual(s.max - s.min);
        expect(xs.filter((x) => x <= s.median).length).toBeGreaterThanOrEqual(xs.length / 2);
      }),
    );
  });
});

describe("figures as text", () => {
  it("formats seconds with three significant digits and rolls over at 1000", async () => {
    const { formatSeconds, formatRatio, formatBytes } = await import("../src/harness/format.js");
    expect(formatSeconds(812e-9)).toBe("812 ns");
    expect(formatSeconds(43.14e-6)).toBe("43.1 µs");
    expect(formatSeconds(0.0009996)).toBe("1.00 ms");
    expect(formatSeconds(0.0023456)).toBe("2.35 ms");
    expect(formatSeconds(0.9999)).toBe("1.00 s");
    expect(formatSeconds(12.3)).toBe("12.3 s");
    expect(formatSeconds(Number.NaN)).toBe("–");
    expect(formatRatio(31.6)).toBe("31.6×");
    expect(formatRatio(undefined)).toBe("");
    expect(formatBytes(4.44 * 1024 * 1024)).toBe("4.44 MiB");
  });
});

describe("settled (when a warm-up may stop)", () => {
  it("needs two blocks whose time per run agree within 10 %", () => {
    expect(settled([])).toBe(false);
    expect(settled([1])).toBe(false);
    expect(settled([4.6, 1.7])).toBe(false); // still tiering up
    expect(settled([4.6, 1.7, 1.2, 1.15])).toBe(true);
    expect(settled([1, 1.09])).toBe(true);
    expect(settled([1, 1.11])).toBe(false);
    expect(settled([1.11, 1])).toBe(false);
  });
});
