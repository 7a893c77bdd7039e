import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { getBackendInfo, setBackend } from "../src/backend.js";
import { col2imAdd, conv2d, conv2dBackward, im2col } from "../src/conv2d.js";
import { type Conv2dParams, conv2dOutputShape } from "../src/conv2d-params.js";
import { conv2dBackwardRef, conv2dRef } from "../src/conv2d-ref.js";
import {
  type NativeTrainStatus,
  nativeTrainStatus,
  registerNativeTrainKernels,
} from "../src/native-train.js";
import "../src/node.js"; // registers @onebit/native's training kernels (built in this repository and in CI)
import { maxPool2d } from "../src/pool.js";
import { maxRelativeError, randomArray } from "./helpers.js";

const registered: NativeTrainStatus = nativeTrainStatus();
const native = registered.kernels!;

afterEach(() => {
  setBackend("auto");
  registerNativeTrainKernels(registered);
});

const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  expect(Buffer.from(new Float32Array(a).buffer).equals(Buffer.from(new Float32Array(b).buffer))).toBe(true);

const convParams = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  inH: fc.integer({ min: 3, max: 9 }),
  inW: fc.integer({ min: 3, max: 9 }),
  inC: fc.integer({ min: 1, max: 7 }),
  outC: fc.integer({ min: 1, max: 9 }),
  kernelH: fc.integer({ min: 1, max: 3 }),
  kernelW: fc.integer({ min: 1, max: 3 }),
  strideH: fc.integer({ min: 1, max: 2 }),
  strideW: fc.integer({ min: 1, max: 2 }),
  padding: fc.constantFrom("same" as const, "valid" as const),
  padValue: fc.constantFrom(0, 1, -1),
});

function geometry(p: Conv2dParams): Int32Array {
  const g = conv2dOutputShape(p);
  return Int32Array.of(
    p.batch,
    p.inH,
    p.inW,
    p.inC,
    p.kernelH,
    p.kernelW,
    p.strideH,
    p.strideW,
    g.padTop,
    g.padLeft,
    g.outH,
    g.outW,
  );
}

describe("native training kernels from @onebit/tensor/node", () => {
  it("are registered and reported", () => {
    expect(registered.error).toBeUndefined();
    expect(getBackendInfo().trainKernels).toBe("native");
    setBackend("wasm-simd");
    expect(getBackendInfo().trainKernels).toBe("default");
  });

  it("im2col and col2im equal the TypeScript reference bit for bit on random geometries and row ranges", () => {
    fc.assert(
      fc.property(convParams, fc.integer({ min: 0, max: 1000 }), (p, seed) => {
        const g = conv2dOutputShape(p);
        const rows = p.batch * g.outH * g.outW;
        const rowLen = p.kernelH * p.kernelW * p.inC;
        const r0 = seed % rows;
        const r1 = r0 + 1 + ((seed >> 3) % (rows - r0));
        const input = randomArray(p.batch * p.inH * p.inW * p.inC, seed);
        const want = new Float32Array((r1 - r0) * rowLen);
        const got = new Float32Array(want.length);
        im2col(input, p, g, r0, r1, want);
        native.im2colF32(input, got, geometry(p), p.padValue, r0, r1);
        same(got, want);
        const gradCols = randomArray(want.length, seed + 1);
        const gradWant = randomArray(input.length, seed + 2);
        const gradGot = gradWant.slice();
        col2imAdd(gradCols, p, g, r0, r1, gradWant);
        native.col2imAddF32(gradCols, gradGot, geometry(p), r0, r1);
        same(gradGot, gradWant);
      }),
      { numRuns: 80 },
    );
  });

  it("im2col and col2im split among threads give the bytes of the TypeScript reference", () => {
    // Above the addon's 2^16-float threshold for these passes, so they do split; row ranges start and end
    // inside images (col2im splits by whole images).
    const shapes: Conv2dParams[] = [
      {
        batch: 5,
        inH: 28,
        inW: 28,
        inC: 16,
        outC: 1,
        kernelH: 3,
        kernelW: 3,
        strideH: 1,
        strideW: 1,
        padding: "same",
        padValue: 0,
      },
      {
        batch: 4,
        inH: 30,
        inW: 26,
        inC: 33,
        outC: 1,
        kernelH: 3,
        kernelW: 2,
        strideH: 2,
        strideW: 1,
        padding: "same",
        padValue: -1,
      },
    ];
    shapes.forEach((p, i) => {
      const g = conv2dOutputShape(p);
      const rows = p.batch * g.outH * g.outW;
      const rowLen = p.kernelH * p.kernelW * p.inC;
      const input = randomArray(p.batch * p.inH * p.inW * p.inC, 10 + i);
      for (const [r0, r1] of [
        [0, rows],
        [g.outW + 3, rows - 5],
      ] as const) {
        const want = new Float32Array((r1 - r0) * rowLen);
        im2col(input, p, g, r0, r1, want);
        const gradCols = randomArray(want.length, 20 + i);
        const gradWant = randomArray(input.length, 30 + i);
        const gradBase = gradWant.slice();
        col2imAdd(gradCols, p, g, r0, r1, gradWant);
        for (const threads of [1, 2, 3, 7]) {
          const got = new Float32Array(want.length);
          native.im2colF32(input, got, geometry(p), p.padValue ?? 0, r0, r1, threads);
          same(got, want);
          const gradGot = gradBase.slice();
          native.col2imAddF32(gradCols, gradGot, geometry(p), r0, r1, threads);
          same(gradGot, gradWant);
        }
      }
    });
    expect(() =>
      native.im2colF32(
        new Float32Array(50),
        new Float32Array(50),
        Int32Array.of(2, 5, 5, 1, 1, 1, 1, 1, 0, 0, 5, 5),
        0,
        0,
        50,
        0,
      ),
    ).toThrow(/threads/);
  });

  it("conv2d and conv2dBackward on them match the reference (and the WebAssembly path) on random shapes", () => {
    fc.assert(
      fc.property(convParams, fc.integer({ min: 0, max: 1000 }), (p, seed) => {
        const input = randomArray(p.batch * p.inH * p.inW * p.inC, seed);
        const weights = randomArray(p.kernelH * p.kernelW * p.inC * p.outC, seed + 1);
        const out = conv2d(input, weights, p);
        expect(maxRelativeError(out, conv2dRef(input, weights, p))).toBeLessThan(1e-5);
        const gradOut = randomArray(out.length, seed + 2);
        const got = conv2dBackward(input, weights, gradOut, p);
        const want = conv2dBackwardRef(input, weights, gradOut, p);
        expect(maxRelativeError(got.gradInput, want.gradInput)).toBeLessThan(1e-5);
        expect(maxRelativeError(got.gradWeights, want.gradWeights)).toBeLessThan(1e-5);
        setBackend("wasm-simd");
        const wasm = conv2dBackward(input, weights, gradOut, p);
        expect(maxRelativeError(got.gradInput, wasm.gradInput)).toBeLessThan(1e-5);
        expect(maxRelativeError(got.gradWeights, wasm.gradWeights)).toBeLessThan(1e-5);
        setBackend("auto");
      }),
      { numRuns: 40 },
    );
  });

  it("max-pool equals the TypeScript loop bit for bit (values, argmax, ties, NaN)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (batch, inH, inW, channels, pool, stride, seed) => {
          const poolH = Math.min(pool, inH);
          const poolW = Math.min(pool, inW);
          const p = { batch, inH, inW, channels, poolH, poolW, strideH: stride, strideW: stride };
          // Few distinct values (ties) and a NaN.
          const input = randomArray(batch * inH * inW * channels, seed).map((v) => Math.round(v * 2));
          input[seed % input.length] = Number.NaN;
          const got = maxPool2d(input, p);
          setBackend("typescript");
          const want = maxPool2d(input, p);
          same(got.output, want.output);
          expect(Array.from(got.argmax)).toEqual(Array.from(want.argmax));
        },
      ),
      { numRuns: 80 },
    );
  });

  it("throw a RangeError naming the array, having written nothing, for short arrays or bad geometry", () => {
    const p: Conv2dParams = {
      batch: 2,
      inH: 5,
      inW: 5,
      inC: 3,
      outC: 4,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padding: "same",
      padValue: 1,
    };
    const g = geometry(p);
    const input = randomArray(2 * 5 * 5 * 3, 1);
    const cols = new Float32Array(50 * 27);
    expect(() => native.im2colF32(input.subarray(1), cols, g, 1, 0, 50)).toThrow(
      /im2col input has 149 elements, needs 150/,
    );
    expect(() => native.im2colF32(input, cols.subarray(1), g, 1, 0, 50)).toThrow(RangeError);
    expect(() => native.im2colF32(input, cols, g, 1, 0, 51)).toThrow(/output pixel range/);
    expect(() => native.im2colF32(input, cols, g, 1, 7, 3)).toThrow(/output pixel range/);
    expect(() => native.im2colF32(input, cols, Int32Array.of(2, 5, 5), 1, 0, 50)).toThrow(
      /geometry has 3 elements/,
    );
    expect(() =>
      native.im2colF32(
        input,
        cols,
        Int32Array.from(g, (v, i) => (i === 6 ? 0 : v)),
        1,
        0,
        50,
      ),
    ).toThrow(/malformed/);
    expect(cols.every((v) => v === 0)).toBe(true);
    const pool = Int32Array.of(1, 4, 4, 1, 2, 2, 2, 2, 0, 0, 3, 2);
    expect(() =>
      native.maxPoolF32(new Float32Array(16), new Float32Array(6), new Int32Array(6), pool),
    ).toThrow(/inside the input/);
    expect(() => native.signsF32(new Float32Array(8), new Float32Array(7))).toThrow(
      /signs out has 7 elements, needs 8/,
    );
    expect(() =>
      native.steBackwardF32(new Float32Array(4), new Float32Array(4), new Float32Array(4), -1),
    ).toThrow(/clip/);
    expect(() =>
      native.channelSumsF64(
        new Float32Array(6),
        new Float32Array(6),
        2,
        3,
        new Float64Array(2),
        new Float64Array(3),
      ),
    ).toThrow(/acc has 2 elements, needs 3/);
    expect(() =>
      native.batchNormF32(
        new Float32Array(6),
        2,
        3,
        new Float32Array(3) as never,
        new Float32Array(3),
        new Float32Array(3),
        new Float32Array(3),
        new Float32Array(6),
        new Float32Array(6),
      ),
    ).toThrow(/mean has the wrong type/);
  });
});
