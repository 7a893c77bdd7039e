import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, addBias, axpy, clip, dot, mul, scale, sub, sum } from "../src/elementwise.js";
import { TensorError } from "../src/errors.js";
import { argmaxRows, channelMeanVar, columnSums, logSoftmax, softmax } from "../src/reductions.js";
import { randomArray } from "./helpers.js";

describe("reductions", () => {
  it("channelMeanVar matches a direct computation", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat(),
        (rows, ch, seed) => {
          const x = randomArray(rows * ch, seed);
          const { mean, variance } = channelMeanVar(x, rows, ch);
          for (let c = 0; c < ch; c++) {
            const col = Array.from({ length: rows }, (_, r) => x[r * ch + c]!);
            const m = col.reduce((s, v) => s + v, 0) / rows;
            expect(mean[c]).toBeCloseTo(m, 5);
            expect(variance[c]).toBeCloseTo(col.reduce((s, v) => s + (v - m) ** 2, 0) / rows, 5);
          }
        },
      ),
    );
    expect(() => channelMeanVar(new Float32Array(3), 2, 2)).toThrow(TensorError);
  });

  it("softmax rows sum to 1, logSoftmax is its log, both survive huge logits", () => {
    const x = Float32Array.from([1, 2, 3, 1000, 1000, -1000]);
    const p = softmax(x, 2, 3);
    const lp = logSoftmax(x, 2, 3);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 6);
    expect(p[3]).toBeCloseTo(0.5, 6);
    expect(p[5]).toBe(0);
    for (let i = 0; i < 3; i++) expect(lp[i]).toBeCloseTo(Math.log(p[i]!), 5);
    expect(lp[3]).toBeCloseTo(-Math.LN2, 5);
    expect(Number.isFinite(lp[5]!)).toBe(true);
    const out = new Float32Array(6);
    expect(softmax(x, 2, 3, out)).toBe(out);
  });

  it("argmaxRows and columnSums", () => {
    const x = Float32Array.from([1, 3, 3, -1, -2, -0.5]);
    expect([...argmaxRows(x, 2, 3)]).toEqual([1, 2]);
    expect([...columnSums(x, 2, 3)]).toEqual([0, 1, 2.5]);
    expect(() => argmaxRows(x, 3, 3)).toThrow(/argmaxRows/);
    const out = new Int32Array(2);
    expect(argmaxRows(x, 2, 3, out)).toBe(out);
    expect([...out]).toEqual([1, 2]);
    expect(() => argmaxRows(x, 2, 3, new Int32Array(3))).toThrow(/argmaxRows out/);
    // NaN never wins; the first of equal maxima does.
    expect([...argmaxRows(Float32Array.from([Number.NaN, 1, 1]), 1, 3)]).toEqual([1]);
  });
});

describe("elementwise", () => {
  it("computes add, sub, mul, scale, axpy, addBias, sum, dot, clip", () => {
    const a = Float32Array.from([1, 2, 3, 4]);
    const b = Float32Array.from([0.5, -1, 2, 0]);
    expect([...add(a, b)]).toEqual([1.5, 1, 5, 4]);
    expect([...sub(a, b)]).toEqual([0.5, 3, 1, 4]);
    expect([...mul(a, b)]).toEqual([0.5, -2, 6, 0]);
    expect([...scale(a, -2)]).toEqual([-2, -4, -6, -8]);
    const y = b.slice();
    axpy(2, a, y);
    expect([...y]).toEqual([2.5, 3, 8, 8]);
    const m = a.slice();
    addBias(m, 2, 2, Float32Array.from([10, 20]));
    expect([...m]).toEqual([11, 22, 13, 24]);
    expect(sum(a)).toBe(10);
    expect(dot(a, b)).toBe(4.5);
    const c = Float32Array.from([-3, 0.5, 2]);
    clip(c, -1, 1);
    expect([...c]).toEqual([-1, 0.5, 1]);
    expect(() => add(a, b.subarray(1))).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
  });
});
