import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TensorError } from "../src/errors.js";
import { maxPool2d, maxPool2dBackward } from "../src/pool.js";
import { randomArray } from "./helpers.js";

describe("maxPool2d", () => {
  it("takes window maxima with argmax indices into the input (random shapes)", () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 3 }),
          inH: fc.integer({ min: 1, max: 8 }),
          inW: fc.integer({ min: 1, max: 8 }),
          channels: fc.integer({ min: 1, max: 5 }),
          poolH: fc.integer({ min: 1, max: 3 }),
          poolW: fc.integer({ min: 1, max: 3 }),
          strideH: fc.integer({ min: 1, max: 3 }),
          strideW: fc.integer({ min: 1, max: 3 }),
        }),
        fc.integer({ min: 0, max: 1000 }),
        (p, seed) => {
          fc.pre(p.inH >= p.poolH && p.inW >= p.poolW);
          const input = randomArray(p.batch * p.inH * p.inW * p.channels, seed);
          const { output, argmax, outH, outW } = maxPool2d(input, p);
          expect(outH).toBe(Math.floor((p.inH - p.poolH) / p.strideH) + 1);
          expect(outW).toBe(Math.floor((p.inW - p.poolW) / p.strideW) + 1);
          let o = 0;
          for (let b = 0; b < p.batch; b++)
            for (let oy = 0; oy < outH; oy++)
              for (let ox = 0; ox < outW; ox++)
                for (let c = 0; c < p.channels; c++, o++) {
                  let best = Number.NEGATIVE_INFINITY;
                  for (let ky = 0; ky < p.poolH; ky++)
                    for (let kx = 0; kx < p.poolW; kx++) {
                      const y = oy * p.strideH + ky;
                      const x = ox * p.strideW + kx;
                      best = Math.max(best, input[((b * p.inH + y) * p.inW + x) * p.channels + c]!);
                    }
                  expect(output[o]).toBe(best);
                  expect(input[argmax[o]!]).toBe(best);
                  expect(argmax[o]! % p.channels).toBe(c);
                }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("routes gradients to the winners, adding where windows overlap", () => {
    // 1×3×1×1 input, window 2, stride 1: the middle element wins both windows.
    const input = Float32Array.from([0, 5, 1]);
    const p = { batch: 1, inH: 1, inW: 3, channels: 1, poolH: 1, poolW: 2, strideH: 1, strideW: 1 };
    const { output, argmax } = maxPool2d(input, p);
    expect([...output]).toEqual([5, 5]);
    expect([...argmax]).toEqual([1, 1]);
    expect([...maxPool2dBackward(Float32Array.from([2, 3]), argmax, 3)]).toEqual([0, 5, 0]);
  });

  it("picks the first maximum on ties", () => {
    const p = { batch: 1, inH: 2, inW: 2, channels: 1, poolH: 2, poolW: 2, strideH: 2, strideW: 2 };
    expect([...maxPool2d(Float32Array.from([1, 3, 3, 2]), p).argmax]).toEqual([1]);
  });

  it("rejects bad shapes and indices", () => {
    const p = { batch: 1, inH: 2, inW: 2, channels: 1, poolH: 3, poolW: 2, strideH: 1, strideW: 1 };
    expect(() => maxPool2d(new Float32Array(4), p)).toThrow(TensorError);
    expect(() => maxPool2d(new Float32Array(3), { ...p, poolH: 2 })).toThrow(/input/);
    expect(() => maxPool2dBackward(new Float32Array(1), Int32Array.from([4]), 4)).toThrow(
      expect.objectContaining({ code: "OUT_OF_BOUNDS" }),
    );
    expect(() => maxPool2dBackward(new Float32Array(2), Int32Array.from([0]), 4)).toThrow(/argmax/);
  });
});
