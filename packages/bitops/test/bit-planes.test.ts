import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bitPlaneDot, bitPlaneGemmRef, encodeBitPlanes, packSignsMatrix } from "../src/index.js";

describe("bit-plane first layer", () => {
  const planeCase = fc
    .record({
      m: fc.integer({ min: 1, max: 4 }),
      n: fc.integer({ min: 1, max: 4 }),
      k: fc.integer({ min: 1, max: 100 }),
    })
    .chain((s) =>
      fc.record({
        s: fc.constant(s),
        x: fc.uint8Array({ minLength: s.m * s.k, maxLength: s.m * s.k }),
        w: fc.array(fc.constantFrom(-1, 1), { minLength: s.n * s.k, maxLength: s.n * s.k }),
      }),
    );

  it("equals the integer dot product Σ x·w exactly", () => {
    fc.assert(
      fc.property(planeCase, ({ s, x, w }) => {
        const planes = encodeBitPlanes(x, s.m, s.k, 2);
        const W = packSignsMatrix(w, s.n, s.k);
        const got = bitPlaneGemmRef(planes, W);
        for (let i = 0; i < s.m; i++)
          for (let j = 0; j < s.n; j++) {
            let expected = 0;
            for (let t = 0; t < s.k; t++) expected += x[i * s.k + t]! * w[j * s.k + t]!;
            expect(got[i * s.n + j]).toBe(expected);
          }
      }),
    );
  });

  it("handles saturated inputs (all 255) against all −1 weights", () => {
    const k = 784;
    const planes = encodeBitPlanes(new Uint8Array(k).fill(255), 1, k);
    const W = packSignsMatrix(new Float32Array(k).fill(-1), 1, k);
    expect(bitPlaneDot(planes, 0, W, 0)).toBe(-255 * k);
  });

  it("rejects mismatched shapes", () => {
    const planes = encodeBitPlanes(new Uint8Array(10), 1, 10);
    const W = packSignsMatrix(new Float32Array(12), 1, 12);
    expect(() => bitPlaneDot(planes, 0, W, 0)).toThrowError(/K = 10.*K = 12/);
    expect(() => encodeBitPlanes(new Uint8Array(5), 2, 3)).toThrowError(/5 bytes/);
  });
});
