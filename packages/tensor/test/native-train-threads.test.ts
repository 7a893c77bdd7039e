import { afterAll, afterEach, describe, expect, it } from "vitest";
import { setBackend } from "../src/backend.js";
import { conv2dBackward } from "../src/conv2d.js";
import type { Conv2dParams } from "../src/conv2d-params.js";
import { conv2dBackwardRef } from "../src/conv2d-ref.js";
import { nativeTrainStatus } from "../src/native-train.js";
// Registers @onebit/native's training kernels (built in this repository and in CI).
import { disableThreads, enableThreads } from "../src/node.js";
import { maxPool2d, maxPool2dBackward } from "../src/pool.js";
import { maxRelativeError, randomArray } from "./helpers.js";

const native = nativeTrainStatus().kernels!;

afterEach(() => setBackend("auto"));
afterAll(() => disableThreads());

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: ArrayBufferView, b: ArrayBufferView) => expect(bytes(a).equals(bytes(b))).toBe(true);
const THREADS = [2, 3, 7];

// Every pass below splits among threads only above 2^18 floats touched, so the sizes here are
// just over it; odd lengths and channel counts put range ends inside cache lines and rows.
describe("native training passes split among threads", () => {
  it("signs and the straight-through gradient give the one-thread bytes (±0, NaN, ±clip)", () => {
    const n = 150_001;
    const x = randomArray(n, 1).map((v) => v * 2);
    x[7] = -0;
    x[8] = Number.NaN;
    x[9] = 1;
    x[10] = -1;
    const g = randomArray(n, 2);
    const signs = new Float32Array(n);
    const ste = new Float32Array(n);
    native.signsF32(x, signs, 1);
    native.steBackwardF32(x, g, ste, 1, 1);
    for (const threads of THREADS) {
      const s = new Float32Array(n);
      const t = new Float32Array(n);
      native.signsF32(x, s, threads);
      native.steBackwardF32(x, g, t, 1, threads);
      same(s, signs);
      same(t, ste);
    }
  });

  it("BatchNorm's channel sums, normalization and input gradient give the one-thread bytes", () => {
    for (const [rows, c] of [
      [2_053, 67],
      [1_500, 200],
      [40_000, 7],
    ] as const) {
      const n = rows * c;
      const x = randomArray(n, rows);
      const g = randomArray(n, rows + 1);
      const stats = (seed: number) => Float32Array.from(randomArray(c, seed), (v) => 1 + v / 2);
      const mean = Float64Array.from(randomArray(c, 3));
      const mean2 = Float64Array.from(randomArray(c, 4));
      const [invStd, gamma, beta] = [stats(5), stats(6), stats(7)];
      const run = (threads: number) => {
        const acc = new Float64Array(c);
        const acc2 = new Float64Array(c);
        const xhat = new Float32Array(n);
        const y = new Float32Array(n);
        const gx = new Float32Array(n);
        native.channelSumsF64(x, g, rows, c, acc, acc2, threads);
        native.batchNormF32(x, rows, c, mean, invStd, gamma, beta, xhat, y, threads);
        native.batchNormBackwardF32(g, xhat, rows, c, gamma, invStd, mean, mean2, gx, threads);
        return [acc, acc2, xhat, y, gx];
      };
      const want = run(1);
      for (const threads of THREADS) {
        for (const [i, got] of run(threads).entries()) same(got, want[i]!);
      }
    }
  });

  it("Adam gives the one-thread weights and moments", () => {
    const n = 40_003;
    const g = randomArray(n, 11);
    const run = (threads: number) => {
      const w = randomArray(n, 12);
      const m = randomArray(n, 13);
      const v = randomArray(n, 14).map(Math.abs);
      native.adamF32(w, g, m, v, 0.9, 0.1, 0.999, 0.001, 0.01, 1e-7, -1, 1, threads);
      return [w, m, v];
    };
    const want = run(1);
    for (const threads of THREADS) {
      for (const [i, got] of run(threads).entries()) same(got, want[i]!);
    }
  });

  it("max-pool and its gradient give the TypeScript loops' bytes on any thread count", () => {
    for (const p of [
      { batch: 9, inH: 28, inW: 28, channels: 67, poolH: 2, poolW: 2, strideH: 2, strideW: 2 },
      // Overlapping windows: gradients of one input add, in output order.
      { batch: 5, inH: 31, inW: 29, channels: 40, poolH: 3, poolW: 3, strideH: 2, strideW: 2 },
    ]) {
      const n = p.batch * p.inH * p.inW * p.channels;
      const input = randomArray(n, p.inH).map((v) => Math.round(v * 4));
      input[n >> 1] = Number.NaN;
      setBackend("typescript");
      const want = maxPool2d(input, p);
      const gradOut = randomArray(want.output.length, 21);
      const gradWant = maxPool2dBackward(gradOut, want.argmax, n, p.batch);
      setBackend("auto");
      for (const threads of [1, ...THREADS]) {
        const output = new Float32Array(want.output.length);
        const argmax = new Int32Array(output.length);
        const g = Int32Array.of(p.batch, p.inH, p.inW, p.channels, p.poolH, p.poolW, p.strideH, p.strideW);
        const geometry = Int32Array.of(...g, 0, 0, want.outH, want.outW);
        native.maxPoolF32(input, output, argmax, geometry, threads);
        same(output, want.output);
        same(argmax, want.argmax);
        const gradIn = randomArray(n, 22); // overwritten: the kernel zeroes it first
        expect(native.maxPoolBackwardF32(gradOut, argmax, gradIn, p.batch, threads)).toBe(-1);
        same(gradIn, gradWant);
      }
      // Through tensor's API (native here), one part and one part per image.
      same(maxPool2dBackward(gradOut, want.argmax, n), gradWant);
      same(maxPool2dBackward(gradOut, want.argmax, n, p.batch, new Float32Array(n).fill(5)), gradWant);
    }
  });

  it("max-pool's gradient rejects an argmax outside its image (TensorError OUT_OF_BOUNDS) on both paths", () => {
    const argmax = Int32Array.of(0, 5, 5, 7); // as two images of 4 inputs, output 1 points into the second
    const gradOut = Float32Array.of(1, 2, 3, 4);
    for (const backend of ["auto", "typescript"] as const) {
      setBackend(backend);
      expect(() => maxPool2dBackward(gradOut, argmax, 8, 2)).toThrow(/argmax\[1\] = 5 is outside its image/);
      expect(() => maxPool2dBackward(gradOut, Int32Array.of(0, 1, 9, 3), 8)).toThrow(
        expect.objectContaining({ code: "OUT_OF_BOUNDS" }),
      );
      expect(() => maxPool2dBackward(gradOut, argmax, 8, 3)).toThrow(/not 3 equal images/);
      expect(Array.from(maxPool2dBackward(gradOut, argmax, 8))).toEqual([1, 0, 0, 0, 0, 5, 0, 4]);
    }
    expect(native.maxPoolBackwardF32(gradOut, argmax, new Float32Array(8), 2)).toBe(1);
    expect(() => native.maxPoolBackwardF32(gradOut, argmax, new Float32Array(8), 3)).toThrow(RangeError);
    expect(() =>
      native.adamF32(
        ...([
          new Float32Array(4),
          new Float32Array(4),
          new Float32Array(4),
          new Float32Array(4),
          0.9,
          0.1,
          0.999,
          0.001,
          0.01,
          1e-7,
          -1,
          1,
          0,
        ] as const),
      ),
    ).toThrow(/threads/);
  });

  it("a convolution's backward over several native chunks (boundaries inside images) matches the reference, same bytes on 1 and 3 threads", () => {
    // 1 200 output pixels × 270-float rows: over two of the native backward's 2^18-float chunks.
    const p: Conv2dParams = {
      batch: 3,
      inH: 20,
      inW: 20,
      inC: 30,
      outC: 17,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padding: "same",
      padValue: -1,
    };
    const input = randomArray(3 * 20 * 20 * 30, 31);
    const weights = randomArray(9 * 30 * 17, 32);
    const gradOut = randomArray(3 * 20 * 20 * 17, 33);
    const want = conv2dBackwardRef(input, weights, gradOut, p);
    enableThreads(1);
    const one = conv2dBackward(input, weights, gradOut, p);
    enableThreads(3);
    const three = conv2dBackward(input, weights, gradOut, p);
    expect(maxRelativeError(one.gradInput, want.gradInput)).toBeLessThan(1e-5);
    expect(maxRelativeError(one.gradWeights, want.gradWeights)).toBeLessThan(1e-5);
    same(three.gradInput, one.gradInput);
    same(three.gradWeights, one.gradWeights);
    // A first layer's backward: the same weight gradient, no input gradient, on every path.
    for (const backend of ["auto", "wasm-simd", "typescript"] as const) {
      setBackend(backend);
      const first = conv2dBackward(input, weights, gradOut, p, { inputGrad: false });
      expect(first.gradInput.length).toBe(0);
      expect(maxRelativeError(first.gradWeights, want.gradWeights)).toBeLessThan(1e-5);
      if (backend === "auto") same(first.gradWeights, three.gradWeights);
    }
  });
});
