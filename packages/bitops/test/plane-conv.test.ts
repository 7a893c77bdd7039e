// The bit-plane (8-bit input) convolution kernel against a plain integer convolution: random
// shapes (1–3 channels and wider, strides 1–2 per axis, padding with any pad byte, K on both sides
// of 64), several images, scratch chunks, split row ranges and every output mode; and the
// WebAssembly modules' 8-bit im2col against its TypeScript reference (im2colPlanesRows), byte for byte.
import { describe, expect, it } from "vitest";
import {
  BitopsHeap,
  type GemmArgs,
  type PlaneConvArgs,
  createKernels,
  im2colPlanesRows,
  instantiateWasmKernels,
  packSignsMatrix,
  prepackWeights,
  scaleBiasRef,
  thresholdRef,
} from "../src/index.js";
import type { WasmKernels } from "../src/kernels/wasm-kernels.js";
import { MemoryViews } from "../src/kernels/memory-views.js";
import { i64Wasm as browserI64Wasm } from "../src/wasm/kernels-browser.generated.js";
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

/** Output height, width and pixels (rows) of shape s. */
function outputSize(s: Shape): { outH: number; outW: number; rows: number } {
  const outH = Math.floor((s.height + s.padTop + s.padBottom - s.kernelH) / s.strideH) + 1;
  const outW = Math.floor((s.width + s.padLeft + s.padRight - s.kernelW) / s.strideW) + 1;
  return { outH, outW, rows: s.batch * outH * outW };
}

/**
 * The kernel arguments of shape s over the bytes at `input`: a dot-mode GEMM of N = 1 with no
 * weights or output (what an im2col alone reads) unless `gemm` says otherwise.
 */
function planeConvArgs(
  s: Shape,
  input: number,
  gemm: Partial<GemmArgs> & { a: number; kWords: number },
): PlaneConvArgs {
  const { outH, outW } = outputSize(s);
  return {
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
      aStride: 32 * gemm.kWords,
      w: 0,
      n: 1,
      k: s.kernelH * s.kernelW * s.channels,
      out: 0,
      outStride: 4,
      p0: 0,
      p1: 0,
      ...gemm,
    },
  };
}

/**
 * The shape with a scratch large enough for the WebAssembly modules' direct form (assembly/byte-conv.ts:
 * K ≤ 257, the lane masks of K × N rounded to 16 columns and one window's K bytes), which they
 * take instead of the im2col + bit-plane GEMM whenever it fits; the plain shapes' small chunks mostly do not.
 */
function withDirectScratch(s: Shape): Shape {
  const k = s.kernelH * s.kernelW * s.channels;
  const kWords = 4 * Math.ceil(k / 128);
  const need = k * Math.ceil(s.outChannels / 16) * 32 + k;
  return { ...s, scratchRows: Math.max(s.scratchRows, Math.ceil(need / (32 * kWords))) };
}

/** K = 257 (lane sums up to 257·255 = 65 535, the direct form's limit) and 258 (past it), bytes at 255. */
const LANE_LIMIT_SHAPES: Shape[] = [257, 258].map((channels, i) => ({
  ...shape(20 + i),
  channels,
  height: 2,
  width: 3,
  kernelH: 1,
  kernelW: 1,
  strideH: 1,
  strideW: 1,
  padTop: 0,
  padLeft: 0,
  padBottom: 0,
  padRight: 0,
  outChannels: 5,
  scratchRows: 64,
}));

describe.each(BACKENDS)("bit-plane convolution kernel, backend %s", (backend) => {
  it.each(SHAPES)("%o equals the plain convolution in every output mode", (s) => checkConv(backend, s));
  it.each(SHAPES.map(withDirectScratch))("%o with the direct form's scratch, the same", (s) =>
    checkConv(backend, s),
  );
  it.each(LANE_LIMIT_SHAPES)("%o, every byte 255 and column 0 all +1: the same", (s) =>
    checkConv(backend, s, true),
  );
});

/** Runs the kernel on shape s in every output mode against convRef (`extreme`: all bytes 255, column 0's weights all +1). */
function checkConv(backend: (typeof BACKENDS)[number], s: Shape, extreme = false): void {
  {
    const { outH, outW, rows } = outputSize(s);
    const n = s.outChannels;
    const k = s.kernelH * s.kernelW * s.channels;
    const x = randomBytes(s.batch * s.height * s.width * s.channels, s.seed);
    const wValues = randomValues(n * k, s.seed + 1);
    if (extreme) {
      x.fill(255);
      wValues.fill(1, 0, k);
    }
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
    const conv = (gemm: Partial<GemmArgs>): PlaneConvArgs =>
      planeConvArgs(s, input, { a: scratch, kWords, w, n, out, outStride: 4 * n, ...gemm });
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
  }
}

/** Shapes for the 8-bit im2col alone: the random ones plus edges (one output row or column, K = 64 and 65, wide pixels). */
const IM2COL_SHAPES: Shape[] = [
  ...SHAPES,
  {
    ...shape(3),
    height: 5,
    width: 1,
    kernelH: 3,
    kernelW: 1,
    padTop: 1,
    padBottom: 1,
    padLeft: 0,
    padRight: 0,
  },
  {
    ...shape(4),
    height: 1,
    width: 6,
    kernelH: 1,
    kernelW: 3,
    padTop: 0,
    padBottom: 0,
    padLeft: 2,
    padRight: 2,
  },
  {
    ...shape(5),
    channels: 1,
    height: 9,
    width: 9,
    kernelH: 8,
    kernelW: 8,
    padTop: 0,
    padLeft: 0,
    padBottom: 0,
    padRight: 0,
  },
  {
    ...shape(6),
    channels: 13,
    height: 4,
    width: 4,
    kernelH: 1,
    kernelW: 5,
    padLeft: 3,
    padRight: 1,
    padValue: 77,
  },
  {
    ...shape(7),
    channels: 3,
    height: 12,
    width: 11,
    kernelH: 5,
    kernelW: 5,
    strideH: 2,
    strideW: 2,
    padValue: 255,
  },
];

describe.each(["wasm-i64", "wasm-simd"] as const)("8-bit im2col of the %s module", (backend) => {
  it.each(IM2COL_SHAPES)("%o writes the reference's scratch rows, every byte", (s) => {
    const { rows } = outputSize(s);
    const k = s.kernelH * s.kernelW * s.channels;
    // kWords even and ≥ K/32, with a spare pair of words so that the zeros past K are checked too.
    const kWords = 2 * Math.ceil(k / 64) + 2;
    const x = randomBytes(s.batch * s.height * s.width * s.channels, s.seed);
    const memory = new WebAssembly.Memory({ initial: 4 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory }) as WasmKernels;
    const input = heap.alloc(x.length + 5) + 5; // any alignment
    heap.u8(input, x.length).set(x);
    const bytes = rows * 32 * kWords;
    const ours = heap.alloc(bytes);
    const reference = heap.alloc(bytes);
    const args = (a: number): PlaneConvArgs =>
      planeConvArgs({ ...s, scratchRows: rows }, input, { a, kWords });
    heap.u8(ours, bytes).set(randomBytes(bytes, s.seed + 9)); // stale scratch must be overwritten
    const split = Math.floor(rows / 2);
    // Row ranges start at any output pixel; each range's rows start at the scratch's row 0.
    kernels.im2colPlanes(args(ours), 0, split);
    kernels.im2colPlanes(args(ours + split * 32 * kWords), split, rows);
    const v = new MemoryViews(memory).current();
    im2colPlanesRows(v.u8, v.u32, args(reference), 0, rows);
    expect(heap.u8(ours, bytes)).toEqual(heap.u8(reference, bytes));
  });
});

describe("the browser build's scalar module", () => {
  it("has no 8-bit im2col, and its kernels fall back to im2colPlanesRows with the same scratch", () => {
    const bytes = Uint8Array.from(atob(browserI64Wasm), (ch) => ch.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    const exports = WebAssembly.Module.exports(module).map((e) => e.name);
    // Nor the direct 8-bit and folded convolutions: a page's first download stays small.
    for (const name of ["planeIm2col", "byteConv", "foldIm2col"]) expect(exports).not.toContain(name);
    const s = IM2COL_SHAPES[IM2COL_SHAPES.length - 1]!;
    const { rows } = outputSize(s);
    const kWords = 2 * Math.ceil((s.kernelH * s.kernelW * s.channels) / 64);
    const memory = new WebAssembly.Memory({ initial: 2 });
    const heap = new BitopsHeap(memory);
    const x = randomBytes(s.batch * s.height * s.width * s.channels, s.seed);
    const input = heap.alloc(x.length);
    heap.u8(input, x.length).set(x);
    const scratch = (kernels: WasmKernels) => {
      const a = heap.alloc(rows * 32 * kWords);
      kernels.im2colPlanes(planeConvArgs({ ...s, scratchRows: rows }, input, { a, kWords }), 0, rows);
      return heap.u8(a, rows * 32 * kWords).slice();
    };
    const browser = instantiateWasmKernels(module, memory, "wasm-i64");
    const node = createKernels({ backend: "wasm-i64", memory }) as WasmKernels;
    expect(scratch(browser)).toEqual(scratch(node));
  });
});
