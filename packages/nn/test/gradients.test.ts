import { Rng } from "@onebit/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batchNorm,
  conv2d,
  dense,
  dropout,
  flatten,
  hardTanh,
  maxPool2d,
  softmaxCrossEntropy,
  squaredHinge,
} from "../src/index.js";
import { buildLayer, checkLayerGradients, maxRelError, numericGrad } from "./helpers.js";

describe("finite-difference gradients of real-valued layers", () => {
  it("dense (with bias), on random shapes including one row and one column", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 9 }),
        (batch, inputs, units) => checkLayerGradients(dense(units), [inputs], batch),
      ),
      { numRuns: 15 },
    );
  });

  it("dense without bias", () => {
    checkLayerGradients(dense(5, { useBias: false }), [33], 3);
  });

  it("conv2d 'valid', 'same' with zero and one padding, strides", () => {
    checkLayerGradients(conv2d(3, 3), [6, 5, 2], 2);
    checkLayerGradients(conv2d(4, [3, 2], { padding: "same" }), [5, 5, 3], 2);
    checkLayerGradients(conv2d(2, 3, { padding: "same", padValue: 1 }), [4, 6, 1], 2);
    checkLayerGradients(conv2d(2, 3, { padding: "same", strides: 2, padValue: 1 }), [7, 6, 2], 1);
    checkLayerGradients(conv2d(2, [2, 3], { padding: "valid", strides: [2, 1] }), [7, 6, 2], 3);
  });

  it("batchNorm in training mode, 1-D and per channel over NHWC, with and without scale/center", () => {
    checkLayerGradients(batchNorm(), [7], 5, { tolerance: 5e-3 });
    checkLayerGradients(batchNorm({ epsilon: 1e-4 }), [3, 2, 4], 3, { tolerance: 5e-3 });
    checkLayerGradients(batchNorm({ scale: false }), [6], 4, { tolerance: 5e-3 });
    checkLayerGradients(batchNorm({ center: false, scale: false }), [2, 2, 3], 2, { tolerance: 5e-3 });
  });

  it("batchNorm in evaluation mode", () => {
    const bn = batchNorm();
    buildLayer(bn, [5], 1);
    bn.movingMean.set([0.1, -0.2, 0.3, 0, 0.5]);
    bn.movingVariance.set([1, 2, 0.5, 3, 0.25]);
    checkLayerGradients(bn, [5], 3, { training: false });
  });

  it("maxPool2d (distinct values, so the argmax is stable under the perturbation)", () => {
    const rng = new Rng(3);
    const input = rng.permutation(2 * 6 * 6 * 3);
    const x = Float32Array.from(input, (v) => v / 10);
    checkLayerGradients(maxPool2d(), [6, 6, 3], 2, { input: x, eps: 1e-3 });
    checkLayerGradients(maxPool2d({ poolSize: 3, strides: 2 }), [6, 6, 3], 2, { input: x, eps: 1e-3 });
  });

  it("flatten and hardTanh (away from the kinks at ±1)", () => {
    checkLayerGradients(flatten(), [2, 3, 4], 2);
    const rng = new Rng(4);
    const x = Float32Array.from(rng.uniformArray(60, -2, 2), (v) =>
      Math.abs(Math.abs(v) - 1) < 0.05 ? 0.5 : v,
    );
    checkLayerGradients(hardTanh(), [20], 3, { input: x });
  });

  it("dropout with a fixed mask (same generator state) in training mode", () => {
    checkLayerGradients(dropout(0.3), [50], 3);
    checkLayerGradients(dropout(0.5), [50], 2, { training: false });
  });
});

describe("loss gradients", () => {
  for (const loss of [softmaxCrossEntropy(), squaredHinge()]) {
    it(`${loss.name} matches finite differences`, () => {
      const rng = new Rng(5);
      const batch = 4;
      const classes = 6;
      const z = rng.uniformArray(batch * classes, -2, 2);
      const labels = Int32Array.from([0, 5, 2, 2]);
      const grad = new Float32Array(z.length);
      const scratch = new Float32Array(z.length);
      loss.compute(z, labels, batch, classes, grad);
      const numeric = numericGrad(z, () => loss.compute(z, labels, batch, classes, scratch), 1e-3);
      expect(maxRelError(grad, numeric)).toBeLessThan(2e-3);
    });
  }

  it("softmax cross-entropy of uniform logits is log(classes)", () => {
    const grad = new Float32Array(10);
    expect(softmaxCrossEntropy().compute(new Float32Array(10), Int32Array.of(3), 1, 10, grad)).toBeCloseTo(
      Math.log(10),
      6,
    );
  });
});
