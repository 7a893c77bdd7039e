import { Rng } from "@onebit/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  adam,
  batchNorm,
  binaryConv2d,
  binaryDense,
  dense,
  flatten,
  maxPool2d,
  sequential,
  sign,
} from "../src/index.js";
import { buildLayer } from "./helpers.js";

describe("XNOR-popcount forward of binary dense layers", () => {
  it("equals the float product exactly on random shapes (K not a multiple of 32, one row, one column, ±0)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 130 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 1000 }),
        (batch, k, n, seed) => {
          const fast = buildLayer(binaryDense(n, { inputQuantizer: "steSign" }), [k], seed);
          const slow = buildLayer(
            binaryDense(n, { inputQuantizer: "steSign", xnorForward: false }),
            [k],
            seed,
          );
          const rng = new Rng(seed);
          const x = rng.uniformArray(batch * k, -1, 1);
          x[0] = -0;
          fast.latentWeights[0] = -0;
          slow.latentWeights[0] = -0;
          const a = fast.forward(x, batch, { training: true });
          const b = slow.forward(x, batch, { training: true });
          expect(Array.from(a)).toEqual(Array.from(b));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("is used after a sign() layer too, with the same predictions as the float product", () => {
    const make = (xnorForward: boolean) =>
      sequential([dense(20), batchNorm(), sign(), binaryDense(7, { xnorForward }), batchNorm()], {
        inputShape: [9],
        seed: 3,
      });
    const x = new Rng(4).uniformArray(9 * 50, -1, 1);
    const a = make(true);
    const b = make(false);
    expect((a.layers[3] as unknown as { xnor: unknown }).xnor).toBeDefined();
    expect((b.layers[3] as unknown as { xnor: unknown }).xnor).toBeUndefined();
    expect(Array.from(a.forward(x, 50, true))).toEqual(Array.from(b.forward(x, 50, true)));
  });

  it("training with and without it gives bit-identical weights", async () => {
    const rng = new Rng(2);
    const x = rng.uniformArray(200 * 40, -1, 1);
    const y = Int32Array.from({ length: 200 }, () => rng.int(3));
    const run = async (xnorForward: boolean) => {
      const m = sequential(
        [
          binaryDense(64),
          batchNorm(),
          binaryDense(33, { inputQuantizer: "steSign", xnorForward }),
          batchNorm(),
          binaryDense(3, { inputQuantizer: "steSign", xnorForward }),
          batchNorm(),
        ],
        { inputShape: [40], seed: 1 },
      );
      await m.fit(
        { x, y },
        { epochs: 2, batchSize: 32, optimizer: adam({ learningRate: 0.01 }), verbose: 0 },
      );
      return m.getState();
    };
    const a = await run(true);
    const b = await run(false);
    for (const k of Object.keys(a)) expect(Array.from(a[k]!), k).toEqual(Array.from(b[k]!));
  });
});

describe("XNOR-popcount forward of binary convolutions", () => {
  it("equals the float convolution exactly on random shapes (channels not a multiple of 32, strides, 'same' and 'valid', ±0)", () => {
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
          const shape = [h, w, c];
          const fast = buildLayer(binaryConv2d(filters, kernel, options), shape, seed);
          const slow = buildLayer(
            binaryConv2d(filters, kernel, { ...options, xnorForward: false }),
            shape,
            seed,
          );
          expect((fast as unknown as { xnor: unknown }).xnor).toBeDefined();
          const rng = new Rng(seed);
          const x = rng.uniformArray(batch * h * w * c, -1, 1);
          x[0] = -0;
          fast.latentWeights[0] = -0;
          slow.latentWeights[0] = -0;
          const a = fast.forward(x, batch, { training: true });
          const b = slow.forward(x, batch, { training: true });
          expect(Array.from(a)).toEqual(Array.from(b));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("is not used where the packed kernels cannot compute the layer (real inputs, padding other than +1, unequal strides)", () => {
    const xnorOf = (layer: ReturnType<typeof binaryConv2d>) =>
      (buildLayer(layer, [6, 6, 3], 1) as unknown as { xnor: unknown }).xnor;
    expect(xnorOf(binaryConv2d(4, 3, { padding: "same" }))).toBeUndefined();
    expect(
      xnorOf(binaryConv2d(4, 3, { inputQuantizer: "steSign", padding: "same", padValue: -1 })),
    ).toBeUndefined();
    expect(xnorOf(binaryConv2d(4, 3, { inputQuantizer: "steSign", strides: [1, 2] }))).toBeUndefined();
    expect(xnorOf(binaryConv2d(4, 3, { inputQuantizer: "steSign", padding: "same" }))).toBeDefined();
  });

  it("training a ConvNet with and without it gives bit-identical weights", async () => {
    const rng = new Rng(5);
    const x = rng.uniformArray(60 * 8 * 8, -1, 1);
    const y = Int32Array.from({ length: 60 }, () => rng.int(3));
    const run = async (xnorForward: boolean) => {
      const same = { padding: "same", xnorForward } as const;
      const m = sequential(
        [
          binaryConv2d(6, 3, same),
          batchNorm(),
          binaryConv2d(35, 3, { ...same, inputQuantizer: "steSign" }),
          batchNorm(),
          maxPool2d(),
          sign(),
          binaryConv2d(5, 2, { strides: 2, xnorForward }),
          batchNorm(),
          flatten(),
          binaryDense(3, { inputQuantizer: "steSign", xnorForward }),
          batchNorm(),
        ],
        { inputShape: [8, 8, 1], seed: 1 },
      );
      if (xnorForward) expect((m.layers[6] as unknown as { xnor: unknown }).xnor).toBeDefined();
      await m.fit(
        { x, y },
        { epochs: 2, batchSize: 20, optimizer: adam({ learningRate: 0.01 }), verbose: 0 },
      );
      return m.getState();
    };
    const a = await run(true);
    const b = await run(false);
    for (const k of Object.keys(a)) expect(Array.from(a[k]!), k).toEqual(Array.from(b[k]!));
  });
});
