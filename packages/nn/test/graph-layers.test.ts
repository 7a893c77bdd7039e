import { Rng } from "@onebit/tensor";
import { describe, expect, it } from "vitest";
import {
  avgPool2d,
  depthwiseConv2d,
  globalAvgPool2d,
  prelu,
  relu,
  rprelu,
  rsign,
  scale,
} from "../src/index.js";
import { buildLayer, checkLayerGradients } from "./helpers.js";

/** Inputs at least `gap` away from every kink at `at` (finite differences across a kink are meaningless). */
function awayFrom(n: number, seed: number, at = 0, gap = 0.1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = rng.uniform(-1, 1);
    return at + Math.sign(u || 1) * (gap + Math.abs(u));
  });
}

describe("finite-difference gradients of the graph layers", () => {
  it("relu", () => checkLayerGradients(relu(), [3, 4, 5], 2, { input: awayFrom(120, 1) }));
  it("prelu (input and slope)", () => checkLayerGradients(prelu(), [4, 3], 3, { input: awayFrom(36, 2) }));
  it("rprelu (input, shift in, slope, shift out)", () => {
    const layer = buildLayer(rprelu(), [6], 1);
    // Non-trivial parameters; inputs away from each channel's kink at x = γc.
    const [gamma, beta, zeta] = layer.params().map((p) => p.value);
    gamma!.set([0.3, -0.2, 0.1, 0, 0.5, -0.4]);
    beta!.set([0.25, 0.1, -0.3, 0.5, 0.2, 0.05]);
    zeta!.set([0.1, 0, -0.2, 0.3, 0, 0.05]);
    const x = awayFrom(24, 3);
    for (let i = 0; i < x.length; i++) x[i]! += gamma![i % 6]!;
    checkLayerGradients(layer, [6], 4, { input: x });
  });
  it("scale", () => checkLayerGradients(scale(), [2, 2, 7], 2));
  it("avgPool2d (2×2 stride 2, and 3×3 stride 1 overlapping)", () => {
    checkLayerGradients(avgPool2d(), [6, 4, 3], 2);
    checkLayerGradients(avgPool2d({ poolSize: 3, strides: 1 }), [5, 5, 2], 2);
  });
  it("globalAvgPool2d", () => checkLayerGradients(globalAvgPool2d(), [3, 5, 4], 3));
  it("depthwiseConv2d ('same' and 'valid', strides, bias)", () => {
    checkLayerGradients(depthwiseConv2d(3, { padding: "same", useBias: true }), [5, 6, 3], 2);
    checkLayerGradients(depthwiseConv2d([2, 3], { strides: 2 }), [7, 7, 4], 2);
  });
});

describe("rsign", () => {
  it("is sign(x − βc) with the straight-through gradient for x and its negative for βc", () => {
    const layer = buildLayer(rsign(), [3], 1);
    const beta = layer.params()[0]!.value;
    beta.set([0.5, -1, 0]);
    const x = Float32Array.from([0.5, -0.5, -2, 1.4, 0.2, 1.5]);
    const y = layer.forward(x, 2, { training: true });
    expect(Array.from(y)).toEqual([1, 1, -1, 1, 1, 1]);
    const g = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const gx = layer.backward(g, 2, true)!;
    // |x − βc| ≤ 1 except for −2 − 0, 0.2 − (−1) and 1.5 − 0.
    expect(Array.from(gx)).toEqual([1, 2, 0, 4, 0, 0]);
    expect(Array.from(layer.params()[0]!.grad)).toEqual([-5, -2, 0]);
    expect(layer.outputBits()).toBe(1);
  });
});
