import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { linearTicks, logTicks } from "@onebit/bench/svg-chart";
import { trainingCurveSvg } from "../src/svg.js";
import type { EpochRecord } from "../src/trainer.js";

const record = (epoch: number, accuracy: number, testAccuracy: number): EpochRecord => ({
  epoch,
  loss: 1 / epoch,
  accuracy,
  testLoss: 1.2 / epoch,
  testAccuracy,
  learningRate: 1e-3,
  seconds: 10,
  evalSeconds: 1,
  samplesPerSecond: 6000,
});

/** Every opened element is closed in order: a cheap well-formedness check without an XML parser. */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]!);
  }
  return stack.length === 0;
}

describe("trainingCurveSvg", () => {
  it("draws loss and error curves for every epoch", () => {
    const history = [record(1, 0.9, 0.92), record(2, 0.95, 0.96), record(3, 0.97, 0.975)];
    const svg = trainingCurveSvg(history, { title: "mnist-tiny <test> & co", subtitle: "97.5 %" });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(balanced(svg)).toBe(true);
    expect(svg).toContain("mnist-tiny &lt;test&gt; &amp; co");
    // 2 panels × 2 series, each a polyline with 3 points and 3 markers.
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(" "));
    expect(lines).toHaveLength(4);
    for (const pts of lines) expect(pts).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(12);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it("handles one epoch, an empty history and perfect accuracy (no point on a log axis)", () => {
    for (const history of [[record(1, 0.5, 0.6)], [], [record(1, 1, 1), record(2, 1, 0.99)]]) {
      const svg = trainingCurveSvg(history, { title: "t" });
      expect(balanced(svg)).toBe(true);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    }
  });
});

describe("ticks", () => {
  it("linear ticks are round, increasing and inside the range", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (lo, span) => {
          const hi = lo + span;
          const t = linearTicks(lo, hi);
          expect(t.length).toBeGreaterThanOrEqual(2);
          expect(t.length).toBeLessThanOrEqual(11);
          for (let i = 0; i < t.length; i++) {
            expect(t[i]!).toBeGreaterThanOrEqual(lo - span * 1e-9);
            expect(t[i]!).toBeLessThanOrEqual(hi + span * 1e-9);
            if (i > 0) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
          }
        },
      ),
    );
  });

  it("log ticks are 1, 2, 5 × 10ⁿ inside the range", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: 1, max: 1e4, noNaN: true }),
        (lo, factor) => {
          const hi = lo * factor;
          for (const v of logTicks(lo, hi)) {
            expect(v).toBeGreaterThanOrEqual(lo * (1 - 1e-9));
            expect(v).toBeLessThanOrEqual(hi * (1 + 1e-9));
            const mantissa = Number((v / 10 ** Math.floor(Math.log10(v) + 1e-12)).toPrecision(6));
            expect([1, 2, 5]).toContain(mantissa);
          }
        },
      ),
    );
    expect(logTicks(0.3, 12)).toEqual([0.5, 1, 2, 5, 10]);
  });
});
