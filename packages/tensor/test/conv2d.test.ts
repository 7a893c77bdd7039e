import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BackendChoice, setBackend } from "../src/backend.js";
import { conv2d, conv2dBackward } from "../src/conv2d.js";
import { type Conv2dParams, conv2dOutputShape } from "../src/conv2d-params.js";
import { conv2dBackwardRef, conv2dRef } from "../src/conv2d-ref.js";
import { TensorError } from "../src/errors.js";
import { maxRelativeError, randomArray } from "./helpers.js";

const paramsArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    inH: fc.integer({ min: 1, max: 9 }),
    inW: fc.integer({ min: 1, max: 9 }),
    inC: fc.integer({ min: 1, max: 6 }),
    outC: fc.integer({ min: 1, max: 7 }),
    kernelH: fc.integer({ min: 1, max: 4 }),
    kernelW: fc.integer({ min: 1, max: 4 }),
    strideH: fc.integer({ min: 1, max: 3 }),
    strideW: fc.integer({ min: 1, max: 3 }),
    padding: fc.constantFrom("same" as const, "valid" as const),
    padValue: fc.constantFrom(0, 1, -0.5),
  })
  .filter((p) => p.padding === "same" || (p.inH >= p.kernelH && p.inW >= p.kernelW));

const sizes = (p: Conv2dParams) => {
  const g = conv2dOutputShape(p);
  return {
    input: p.batch * p.inH * p.inW * p.inC,
    weights: p.kernelH * p.kernelW * p.inC * p.outC,
    output: p.batch * g.outH * g.outW * p.outC,
  };
};

describe("conv2dOutputShape", () => {
  it("follows the TensorFlow 'same' and 'valid' rules", () => {
    const base = { batch: 1, inC: 1, outC: 1, kernelH: 3, kernelW: 2, strideH: 2, strideW: 1 };
    expect(conv2dOutputShape({ ...base, inH: 7, inW: 5, padding: "same" })).toEqual({
      outH: 4,
      outW: 5,
      padTop: 1,
      padLeft: 0,
    });
    expect(conv2dOutputShape({ ...base, inH: 7, inW: 5, padding: "valid" })).toEqual({
      outH: 3,
      outW: 4,
      padTop: 0,
      padLeft: 0,
    });
  });

  it("rejects kernels larger than a 'valid' input and non-integer sizes", () => {
    const base = { batch: 1, inC: 1, outC: 1, kernelW: 1, strideH: 1, strideW: 1 };
    expect(() => conv2dOutputShape({ ...base, inH: 2, inW: 2, kernelH: 3, padding: "valid" })).toThrow(
      expect.objectContaining({ code: "SHAPE_MISMATCH" }),
    );
    expect(() => conv2dOutputShape({ ...base, inH: 2, inW: 2, kernelH: 0, padding: "same" })).toThrow(
      /kernelH/,
    );
  });
});

// "typescript" runs im2col + gemm in JavaScript; "wasm-simd" runs im2col, GEMM and col2im in
// WebAssembly memory (conv2dWasm). Both must agree with the direct-loop references.
describe.each(["typescript", "wasm-simd"] as BackendChoice[])("with the %s backend", (backend) => {
  beforeEach(() => setBackend(backend));
  afterEach(() => setBackend("auto"));

  describe("conv2d", () => {
    it("matches the direct-loop reference on random shapes", () => {
      fc.assert(
        fc.property(paramsArb, fc.integer({ min: 0, max: 1000 }), (p, seed) => {
          const s = sizes(p);
          const input = randomArray(s.input, seed);
          const weights = randomArray(s.weights, seed + 1);
          expect(maxRelativeError(conv2d(input, weights, p), conv2dRef(input, weights, p))).toBeLessThan(
            1e-5,
          );
        }),
        { numRuns: 120 },
      );
    });

    it("writes into a given output buffer and rejects short buffers", () => {
      const p: Conv2dParams = {
        batch: 1,
        inH: 3,
        inW: 3,
        inC: 2,
        outC: 2,
        kernelH: 3,
        kernelW: 3,
        strideH: 1,
        strideW: 1,
        padding: "same",
        padValue: 1,
      };
      const s = sizes(p);
      const out = new Float32Array(s.output);
      const input = randomArray(s.input, 3);
      const weights = randomArray(s.weights, 4);
      expect(conv2d(input, weights, p, out)).toBe(out);
      expect(maxRelativeError(out, conv2dRef(input, weights, p))).toBeLessThan(1e-6);
      expect(() => conv2d(input.subarray(1), weights, p)).toThrow(TensorError);
      expect(() => conv2d(input, weights, p, new Float32Array(3))).toThrow(/out/);
    });
  });

  describe("conv2dBackward", () => {
    it("matches the direct-loop reference gradients on random shapes", () => {
      fc.assert(
        fc.property(paramsArb, fc.integer({ min: 0, max: 1000 }), (p, seed) => {
          const s = sizes(p);
          const input = randomArray(s.input, seed);
          const weights = randomArray(s.weights, seed + 1);
          const gradOut = randomArray(s.output, seed + 2);
          const fast = conv2dBackward(input, weights, gradOut, p);
          const ref = conv2dBackwardRef(input, weights, gradOut, p);
          expect(maxRelativeError(fast.gradInput, ref.gradInput)).toBeLessThan(1e-5);
          expect(maxRelativeError(fast.gradWeights, ref.gradWeights)).toBeLessThan(1e-5);
        }),
        { numRuns: 120 },
      );
    });

    it("matches the reference when im2col runs in several chunks (more rows than one 4 MiB buffer)", () => {
      // Rows of 3·3·64 = 576 floats: one chunk holds 1820 rows, this layer has 3·28·28 = 2352.
      const p: Conv2dParams = {
        batch: 3,
        inH: 28,
        inW: 28,
        inC: 64,
        outC: 3,
        kernelH: 3,
        kernelW: 3,
        strideH: 1,
        strideW: 1,
        padding: "same",
        padValue: 1,
      };
      const s = sizes(p);
      const input = randomArray(s.input, 21);
      const weights = randomArray(s.weights, 22);
      const gradOut = randomArray(s.output, 23);
      expect(maxRelativeError(conv2d(input, weights, p), conv2dRef(input, weights, p))).toBeLessThan(1e-5);
      const fast = conv2dBackward(input, weights, gradOut, p);
      const ref = conv2dBackwardRef(input, weights, gradOut, p);
      expect(maxRelativeError(fast.gradInput, ref.gradInput)).toBeLessThan(1e-5);
      expect(maxRelativeError(fast.gradWeights, ref.gradWeights)).toBeLessThan(1e-5);
    });

    // L = Σ gradOut ⊙ conv(x, w) so ∂L/∂x and ∂L/∂w are the backward pass; central differences
    // computed in float64 through the reference convolution check both the reference and the fast path.
    it.each([
      ["same", 1, 1, 1],
      ["same", 2, 2, 0],
      ["valid", 1, 2, 1],
      ["same", 3, 1, -0.5],
    ] as const)("agrees with finite differences (%s, stride %i×%i, pad %d)", (padding, sH, sW, padValue) => {
      const p: Conv2dParams = {
        batch: 2,
        inH: 5,
        inW: 4,
        inC: 3,
        outC: 2,
        kernelH: 3,
        kernelW: 2,
        strideH: sH,
        strideW: sW,
        padding,
        padValue,
      };
      const s = sizes(p);
      const input = randomArray(s.input, 11);
      const weights = randomArray(s.weights, 12);
      const gradOut = randomArray(s.output, 13);
      const loss = (x: Float32Array, w: Float32Array) => {
        const y = conv2dRef(x, w, p);
        let l = 0;
        for (let i = 0; i < y.length; i++) l += y[i]! * gradOut[i]!;
        return l;
      };
      const { gradInput, gradWeights } = conv2dBackward(input, weights, gradOut, p);
      // The loss is linear in each argument, so a large step has no truncation error; float32 inputs
      // only carry rounding of the perturbed value, which h = 0.5 (exact in binary) avoids.
      const h = 0.5;
      for (const [param, grad, other, isInput] of [
        [input, gradInput, weights, true],
        [weights, gradWeights, input, false],
      ] as const) {
        for (let i = 0; i < param.length; i++) {
          const plus = param.slice();
          plus[i]! += h;
          const minus = param.slice();
          minus[i]! -= h;
          const numeric = isInput
            ? (loss(plus, other) - loss(minus, other)) / (2 * h)
            : (loss(other, plus) - loss(other, minus)) / (2 * h);
          expect(grad[i]!).toBeCloseTo(numeric, 4);
        }
      }
    });
  });
});
