import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  BitopsError,
  bconv2d,
  bconv2dRef,
  bconv2dScaleBias,
  bconv2dThreshold,
  bmaxPool2d,
  bmaxPool2dRef,
  conv2dGeometry,
  packConvWeights,
  packImages,
  prepackConvWeights,
  prepackWeights,
  packSignsMatrix,
  scaleBiasRef,
  setBackend,
  thresholdRef,
  unpackImages,
  unprepackConvWeights,
  windowGeometry,
} from "../src/index.js";
import { BACKENDS, randomValues } from "./backends.js";
import { randomConvOperands } from "./conv-operands.js";

const convCase = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  height: fc.integer({ min: 1, max: 7 }),
  width: fc.integer({ min: 1, max: 7 }),
  channels: fc.oneof(fc.constantFrom(1, 31, 32, 33, 64, 128), fc.integer({ min: 1, max: 100 })),
  outChannels: fc.oneof(fc.constantFrom(1, 3, 32, 33), fc.integer({ min: 1, max: 40 })),
  kernel: fc.constantFrom(1, 3),
  stride: fc.constantFrom(1, 2),
  padding: fc.constantFrom("same" as const, "valid" as const),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

afterAll(() => {
  setBackend("auto");
});

describe.each(BACKENDS)("binary convolution and max-pool, backend %s", (backend) => {
  it("bconv2d and its threshold/scale-bias variants match the naive one-padded convolution", () => {
    setBackend(backend);
    fc.assert(
      fc.property(convCase, (c) => {
        if (c.padding === "valid" && (c.height < c.kernel || c.width < c.kernel)) return;
        const { x, cw } = randomConvOperands({ ...c, kernelH: c.kernel, kernelW: c.kernel });
        const w = prepackConvWeights(cw);
        const options = { stride: c.stride, padding: c.padding };
        const ref = bconv2dRef(x, cw, options);
        expect(bconv2d(x, w, options)).toEqual(ref);

        const g = conv2dGeometry(x, w, options);
        const pixels = c.batch * g.outH * g.outW;
        const k = c.kernel * c.kernel * c.channels;
        const r = randomValues(c.outChannels, c.seed + 2);
        const thresholds = Int32Array.from(r, (v, i) =>
          i % 7 === 0 ? -(2 ** 31) : i % 7 === 1 ? 2 ** 31 - 1 : Math.round(v * k),
        );
        const flip = Uint8Array.from(r, (v) => (v > 0.3 ? 1 : 0));
        const bits = bconv2dThreshold(x, w, thresholds, flip, options);
        expect([bits.batch, bits.height, bits.width, bits.channels]).toEqual([
          c.batch,
          g.outH,
          g.outW,
          c.outChannels,
        ]);
        expect(bits.data).toEqual(thresholdRef(ref, pixels, c.outChannels, thresholds, flip, 1).data);

        const scale = randomValues(c.outChannels, c.seed + 3);
        const bias = randomValues(c.outChannels, c.seed + 4);
        expect(bconv2dScaleBias(x, w, scale, bias, options)).toEqual(
          scaleBiasRef(ref, pixels, c.outChannels, scale, bias),
        );
      }),
      { numRuns: 30 },
    );
  });

  it("a 1×1 stride-1 convolution over 128 channels (no im2col) equals the reference", () => {
    setBackend(backend);
    const x = packImages(randomValues(2 * 3 * 5 * 128, 11), 2, 3, 5, 128);
    const cw = packConvWeights(randomValues(6 * 128, 12), 6, 1, 1, 128);
    expect(bconv2d(x, prepackConvWeights(cw))).toEqual(bconv2dRef(x, cw));
  });

  it("one-padding: an all-(+1) image against all-(+1) weights gives K everywhere", () => {
    setBackend(backend);
    const x = packImages(new Float32Array(4 * 4 * 5).fill(1), 1, 4, 4, 5);
    const cw = packConvWeights(new Float32Array(2 * 9 * 5).fill(1), 2, 3, 3, 5);
    const out = bconv2d(x, prepackConvWeights(cw), { padding: "same" });
    expect(Array.from(out)).toEqual(new Array(4 * 4 * 2).fill(45));
  });

  it("bmaxPool2d is the OR of each window, with 'same' padding that never wins", () => {
    setBackend(backend);
    fc.assert(
      fc.property(convCase, fc.constantFrom(2, 3), fc.constantFrom(1, 2, 3), (c, size, stride) => {
        if (c.height < size || c.width < size) return;
        const { x } = randomConvOperands({ ...c, kernelH: size, kernelW: size });
        for (const padding of ["same", "valid"] as const) {
          const options = { size, stride, padding };
          expect(bmaxPool2d(x, options)).toEqual(bmaxPool2dRef(x, options));
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe("packed NHWC images and convolution weights", () => {
  it("round-trip through unpackImages and unprepackConvWeights", () => {
    const values = randomValues(2 * 3 * 4 * 37, 5);
    const x = packImages(values, 2, 3, 4, 37);
    expect(x.wordsPerPixel).toBe(2);
    expect(unpackImages(x)).toEqual(Float32Array.from(values, (v) => (v >= 0 ? 1 : -1)));
    const cw = packConvWeights(randomValues(5 * 3 * 3 * 37, 6), 5, 3, 3, 37);
    expect(unprepackConvWeights(prepackConvWeights(cw))).toEqual(cw);
  });

  it("computes TensorFlow's 'same' geometry for stride 2", () => {
    expect(windowGeometry(7, 8, 3, 3, { stride: 2, padding: "same" })).toEqual({
      outH: 4,
      outW: 4,
      padTop: 1,
      padLeft: 0,
      stride: 2,
    });
    expect(windowGeometry(7, 8, 3, 3, { stride: 2 })).toMatchObject({ outH: 3, outW: 3, padTop: 0 });
  });

  it("rejects mismatched channels, GEMM weights and windows that do not fit", () => {
    const x = packImages(new Float32Array(1 * 4 * 4 * 3), 1, 4, 4, 3);
    const w4 = prepackConvWeights(packConvWeights(new Float32Array(2 * 9 * 4), 2, 3, 3, 4));
    expect(() => bconv2d(x, w4)).toThrowError(/expects 4 input channels, x has 3/);
    const gemmWeights = prepackWeights(packSignsMatrix(new Float32Array(2 * 27), 2, 27));
    expect(() => bconv2d(x, gemmWeights)).toThrowError(/prepackConvWeights/);
    const big = prepackConvWeights(packConvWeights(new Float32Array(1 * 25 * 3), 1, 5, 5, 3));
    expect(() => bconv2d(packImages(new Float32Array(3 * 3 * 3), 1, 3, 3, 3), big)).toThrowError(BitopsError);
    expect(() => windowGeometry(4, 4, 3, 3, { stride: 0 })).toThrowError(/stride/);
  });
});
