// The bit-plane (8-bit input) convolution kernel against a plain integer convolution: random
// shapes (1–3 channels and wider, strides 1–2 per axis, padding with any pad byte, K on both sides
// of 64), several images, scratch chunks, split row ranges and every output mode.
import { describe, expect, it } from "vitest";
import {
  BitopsHeap,
  type GemmArgs,
  type PlaneConvArgs,
  createKernels,
  packSignsMatrix,
  prepackWeights,
  scaleBiasRef,
  thresholdRef,
} from "../src/index.js";
import { BACKENDS, randomBytes, randomValues } from "./backends.js";

interface Shape {
  batch: number;
  height: number;
  width: number;
  channels: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
  padValue: number;
  scratchRows: number;
  seed: number;
}

/** Σ over the window of byte·(±1 weight), padded taps reading padValue: the plain definition. */
function convRef(s: Shape, x: Uint8Array, w: Float32Array, outH: number, outW: number): Int32Array {
  const k = s.kernelH * s.kernelW * s.channels;
  const out = new Int32Array(s.batch * outH * outW * s.outChannels);
  let at = 0;
  for (let b = 0; b < s.batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let n = 0; n < s.outChannels; n++) {
          let dot = 0;
          for (let dy = 0; dy < s.kernelH; dy++)
            for (let dx = 0; dx < s.kernelW; dx++)
              for (let c = 0; c < s.channels; c++) {
                const iy = oy * s.strideH - s.padTop + dy;
                const ix = ox * s.strideW - s.padLeft + dx;
                const inside = iy >= 0 && iy < s.height && ix >= 0 && ix < s.width;
                const v = inside ? x[((b * s.height + iy) * s.width + ix) * s.channels + c]! : s.padValue;
                dot += v * (w[n * k + (dy * s.kernelW + dx) * s.channels + c]! >= 0 ? 1 : -1);
              }
          out[at++] = dot;
        }
  return out;
}

function shape(i: number): Shape {
  const r = randomBytes(16, 900 + i);
  const kernelH = 1 + (r[0]! % 5);
  const kernelW = 1 + (r[1]! % 5);
  const padTop = r[2]! % kernelH;
  const padLeft = r[3]! % kernelW;
  return {
    batch: 1 + (r[4]! % 2),
    height: kernelH + (r[5]! % 7),
    width: kernelW + (r[6]! % 7),
    channels: [1, 3, 1, 2, 7, 16][i % 6]!,
    outChannels: 1 + (r[7]! % 40),
    kernelH,
    kernelW,
    strideH: 1 + (r[8]! % 2),
    strideW: 1 + (r[9]! % 2),
    padTop,
    padLeft,
    padBottom: r[10]! % kernelH,
    padRight: r[11]! % kernelW,
    padValue: i % 3 === 0 ? 0 : r[12]!,
    scratchRows: 1 + (r[13]! % 9),
    seed: 1000 + i,
  };
}

const SHAPES = Array.from({ length: 16 }, (_, i) => shape(i));

describe.each(BACKENDS)("bit-plane convolution kernel, backend %s", (backend) => {
  it.each(SHAPES)("%o equals the plain convolution in every output mode", (s) => {
    const outH = Math.floor((s.height + s.padTop + s.padBottom - s.kernelH) / s.strideH) + 1;
    const outW = Math.floor((s.width + s.padLeft + s.padRight - s.kernelW) / s.strideW) + 1;
    const rows = s.batch * outH * outW;
    const n = s.outChannels;
    const k = s.kernelH * s.kernelW * s.channels;
    const x = randomBytes(s.batch * s.height * s.width * s.channels, s.seed);
    const wValues = randomValues(n * k, s.seed + 1);
    const pw = prepackWeights(packSignsMatrix(wValues, n, k));
    const kWords = pw.wordsPerRow; // any even count ≥ K/32 works; the prepacked rows are one
    const dots = convRef(s, x, wValues, outH, outW);

    const memory = new WebAssembly.Memory({ initial: 4 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory });
    const input = heap.alloc(x.length + 3) + 3; // bytes need no alignment
    heap.u8(input, x.length).set(x);
    const w = heap.alloc(pw.data.byteLength);
    heap.u32(w, pw.data.length).set(pw.data);
    const scratch = heap.alloc(s.scratchRows * 32 * kWords);
    const thresholds = Int32Array.from(randomValues(n, s.seed + 2), (v) => Math.round(v * k * 60));
    const flips = Uint8Array.from(randomValues(n, s.seed + 3), (v) => (v > 0.3 ? 1 : 0));
    const scales = randomValues(n, s.seed + 4).map((v) => v * 0.37);
    const biases = randomValues(n, s.seed + 5).map((v) => v * 9);
    const tAt = heap.alloc(4 * n);
    const fAt = heap.alloc(n);
    const sAt = heap.alloc(4 * n);
    const bAt = heap.alloc(4 * n);
    heap.i32(tAt, n).set(thresholds);
    heap.u8(fAt, n).set(flips);
    heap.f32(sAt, n).set(scales);
    heap.f32(bAt, n).set(biases);
    const bitStride = 16 * Math.ceil(n / 128);
    const out = heap.alloc(rows * 4 * n);
    const conv = (gemm: Partial<GemmArgs>): PlaneConvArgs => ({
      input,
      height: s.height,
      width: s.width,
      channels: s.channels,
      kernelH: s.kernelH,
      kernelW: s.kernelW,
      strideH: s.strideH,
      strideW: s.strideW,
      padTop: s.padTop,
      padLeft: s.padLeft,
      outH,
      outW,
      padValue: s.padValue,
      scratchRows: s.scratchRows,
      gemm: {
        mode: "dot",
        a: scratch,
        aStride: 32 * kWords,
        w,
        n,
        k,
        kWords,
        out,
        outStride: 4 * n,
        p0: 0,
        p1: 0,
        ...gemm,
      },
    });
    const split = Math.floor(rows / 3);
    const run = (c: PlaneConvArgs) => {
      kernels.bitPlaneConv2dRows(c, 0, split);
      kernels.bitPlaneConv2dRows(c, split, rows);
    };
    run(conv({}));
    expect(heap.i32(out, rows * n)).toEqual(dots);
    run(conv({ mode: "threshold", outStride: bitStride, p0: tAt, p1: fAt }));
    expect(heap.u32(out, (rows * bitStride) / 4)).toEqual(
      thresholdRef(dots, rows, n, thresholds, flips).data,
    );
    run(conv({ mode: "scaleBias", p0: sAt, p1: bAt }));
    expect(heap.f32(out, rows * n)).toEqual(scaleBiasRef(dots, rows, n, scales, biases));
  });
});
