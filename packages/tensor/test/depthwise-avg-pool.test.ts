import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  avgPool2d,
  avgPool2dBackward,
  conv2d,
  depthwiseConv2d,
  depthwiseConv2dBackward,
  depthwiseConv2dOutputSize,
  Rng,
} from "../src/index.js";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** The depthwise kernel [kh, kw, c] as a full conv2d kernel [kh, kw, c, c] that is zero off the diagonal. */
function diagonalKernel(w: Float32Array, kh: number, kw: number, c: number): Float32Array {
  const full = new Float32Array(kh * kw * c * c);
  for (let k = 0; k < kh * kw; k++)
    for (let ch = 0; ch < c; ch++) full[(k * c + ch) * c + ch] = w[k * c + ch]!;
  return full;
}

const geometry = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  inH: fc.integer({ min: 3, max: 7 }),
  inW: fc.integer({ min: 3, max: 7 }),
  channels: fc.integer({ min: 1, max: 5 }),
  kernelH: fc.integer({ min: 1, max: 3 }),
  kernelW: fc.integer({ min: 1, max: 3 }),
  strideH: fc.integer({ min: 1, max: 2 }),
  strideW: fc.integer({ min: 1, max: 2 }),
  padding: fc.constantFrom("valid" as const, "same" as const),
  padValue: fc.constantFrom(0, 1),
  seed: fc.integer({ min: 0, max: 1000 }),
});

describe("depthwiseConv2d", () => {
  it("equals conv2d with a channel-diagonal kernel, and its backward is the adjoint (random shapes)", () => {
    fc.assert(
      fc.property(geometry, ({ seed, ...p }) => {
        const rng = new Rng(seed);
        const x = rng.uniformArray(p.batch * p.inH * p.inW * p.channels, -1, 1);
        const w = rng.uniformArray(p.kernelH * p.kernelW * p.channels, -1, 1);
        const y = depthwiseConv2d(x, w, p);
        const full = diagonalKernel(w, p.kernelH, p.kernelW, p.channels);
        const ref = conv2d(x, full, { ...p, inC: p.channels, outC: p.channels });
        expect(y.length).toBe(ref.length);
        for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(ref[i]!, 5);
        const [outH, outW] = depthwiseConv2dOutputSize(p);
        expect(y.length).toBe(p.batch * outH * outW * p.channels);
        // <y, r> = <x, ∂/∂x> (linear in x, up to the padding constant) and = <w, ∂/∂w> (linear in w).
        const r = rng.uniformArray(y.length, -1, 1);
        const { gradInput, gradKernel } = depthwiseConv2dBackward(x, w, r, p);
        expect(dot(w, gradKernel)).toBeCloseTo(dot(y, r), 3);
        const y0 = depthwiseConv2d(new Float32Array(x.length), w, p);
        expect(dot(x, gradInput)).toBeCloseTo(dot(y, r) - dot(y0, r), 3);
      }),
      { numRuns: 60 },
    );
  });

  it("rejects bad geometry with typed errors", () => {
    const p = { batch: 1, inH: 2, inW: 2, channels: 1, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1 };
    expect(() =>
      depthwiseConv2d(new Float32Array(4), new Float32Array(9), { ...p, padding: "valid" }),
    ).toThrow(/does not fit/);
    expect(() =>
      depthwiseConv2d(new Float32Array(3), new Float32Array(9), { ...p, padding: "same" }),
    ).toThrow(/input/);
  });
});

describe("avgPool2d", () => {
  it("is a depthwise convolution with a constant 1/(ph·pw) kernel; backward is its adjoint", () => {
    fc.assert(
      fc.property(geometry, ({ seed, kernelH, kernelW, padding: _p, padValue: _v, ...p }) => {
        const rng = new Rng(seed);
        const pool = { ...p, poolH: kernelH, poolW: kernelW };
        const x = rng.uniformArray(p.batch * p.inH * p.inW * p.channels, -1, 1);
        const y = avgPool2d(x, pool);
        const k = new Float32Array(kernelH * kernelW * p.channels).fill(1 / (kernelH * kernelW));
        const ref = depthwiseConv2d(x, k, { ...p, kernelH, kernelW, padding: "valid" });
        expect(y.length).toBe(ref.length);
        for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(ref[i]!, 5);
        const r = rng.uniformArray(y.length, -1, 1);
        expect(dot(x, avgPool2dBackward(r, pool))).toBeCloseTo(dot(y, r), 3);
      }),
      { numRuns: 60 },
    );
    expect(() =>
      avgPool2d(new Float32Array(4), {
        batch: 1,
        inH: 2,
        inW: 2,
        channels: 1,
        poolH: 3,
        poolW: 3,
        strideH: 1,
        strideW: 1,
      }),
    ).toThrow(/smaller than/);
  });
});
