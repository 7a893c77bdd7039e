// The XNOR forward products of binary layers on @onebit/native's xnorConv2dF32 (what Node.js
// training runs once `@onebit/tensor/node` registered the addon): exactly the float products, and
// the same bytes on any thread count.
import { activeNativeTrainKernels, Rng } from "@onebit/tensor";
import { disableThreads, enableThreads } from "@onebit/tensor/node";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { binaryConv2d, binaryDense } from "../src/index.js";
import { buildLayer } from "./helpers.js";

afterAll(() => disableThreads());

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

type Built = ReturnType<typeof binaryConv2d> | ReturnType<typeof binaryDense>;

/** The XNOR layer's output on 1 and on `threads` threads, and the float layer's. */
function outputs(
  make: (xnorForward: boolean) => Built,
  shape: number[],
  batch: number,
  seed: number,
  threads: number,
) {
  const fast = buildLayer(make(true), shape, seed);
  const slow = buildLayer(make(false), shape, seed);
  expect((fast as unknown as { xnor: unknown }).xnor).toBeDefined();
  const rng = new Rng(seed);
  const x = rng.uniformArray(batch * shape.reduce((a, b) => a * b, 1), -1, 1);
  x[0] = -0;
  fast.latentWeights[0] = -0;
  slow.latentWeights[0] = -0;
  enableThreads(1);
  const one = fast.forward(x, batch, { training: true }).slice();
  enableThreads(threads);
  const many = fast.forward(x, batch, { training: true }).slice();
  const float = slow.forward(x, batch, { training: true });
  return { one, many, float };
}

describe("native XNOR forward of binary layers", () => {
  it("runs on the native training kernels here", () => {
    expect(activeNativeTrainKernels()?.xnorConv2dF32).toBeTypeOf("function");
  });

  it("convolutions equal the float convolution exactly, on 1 and several threads (random shapes)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 3, max: 9 }),
        fc.integer({ min: 3, max: 8 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (batch, h, w, c, filters, kernel, strides, same, seed) => {
          const options = { inputQuantizer: "steSign", strides, padding: same ? "same" : "valid" } as const;
          const r = outputs(
            (xnorForward) => binaryConv2d(filters, kernel, { ...options, xnorForward }),
            [h, w, c],
            batch,
            seed,
            3,
          );
          expect(bytes(r.one).equals(bytes(r.float))).toBe(true);
          expect(bytes(r.many).equals(bytes(r.one))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a convolution big enough to split (input packing and output pixels) gives the float bytes on 2, 3 and 7 threads", () => {
    for (const threads of [2, 3, 7]) {
      const r = outputs(
        (xnorForward) => binaryConv2d(33, 3, { inputQuantizer: "steSign", padding: "same", xnorForward }),
        [28, 27, 40],
        10,
        threads,
        threads,
      );
      expect(bytes(r.one).equals(bytes(r.float))).toBe(true);
      expect(bytes(r.many).equals(bytes(r.one))).toBe(true);
    }
  });

  it("dense layers equal the float product exactly, on 1 and several threads (K not a multiple of 32)", () => {
    for (const [batch, k, n] of [
      [1, 1, 1],
      [3, 33, 5],
      [64, 700, 129],
      [100, 4100, 700], // splits: rows × row words × outputs above the addon's 2^22
    ] as const) {
      const r = outputs(
        (xnorForward) => binaryDense(n, { inputQuantizer: "steSign", xnorForward }),
        [k],
        batch,
        k,
        3,
      );
      expect(bytes(r.one).equals(bytes(r.float))).toBe(true);
      expect(bytes(r.many).equals(bytes(r.one))).toBe(true);
    }
  });
});
