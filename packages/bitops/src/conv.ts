import { defaultContext } from "./backend.js";
import { lastWordMask } from "./bit-matrix.js";
import { type Conv2dOptions, type WindowGeometry, windowGeometry } from "./conv-geometry.js";
import { BitopsError } from "./errors.js";
import { uploadedWeights } from "./gemm.js";
import type { ConvArgs, OutputMode, PoolArgs } from "./kernels/kernel-args.js";
import { type PackedImages, createPackedImages, validatePackedImages } from "./packed-images.js";
import { type PackedWeights, validatePackedWeights } from "./packed-weights.js";

/** Output pixels per im2col chunk of the high-level bconv2d (scratch = this many kernel rows). */
const SCRATCH_ROWS = 128;

/** Geometry of a binary convolution of x by w (validates that they fit together). */
export function conv2dGeometry(
  x: PackedImages,
  w: PackedWeights,
  options: Conv2dOptions = {},
): WindowGeometry {
  validatePackedImages(x, "bconv2d: x");
  validatePackedWeights(w, "bconv2d: w");
  if (!w.conv) {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      "bconv2d: w are GEMM weights, prepack them with prepackConvWeights",
    );
  }
  if (w.conv.inChannels !== x.channels) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `bconv2d: w expects ${w.conv.inChannels} input channels, x has ${x.channels}`,
    );
  }
  return windowGeometry(x.height, x.width, w.conv.kernelH, w.conv.kernelW, options, "bconv2d");
}

type Epilogue =
  | { mode: "dot"; out?: Int32Array }
  | { mode: "threshold"; thresholds: Int32Array; flip: Uint8Array; out?: PackedImages }
  | { mode: "scaleBias"; scale: Float32Array; bias: Float32Array; out?: Float32Array };

function runConv(
  where: string,
  x: PackedImages,
  w: PackedWeights,
  options: Conv2dOptions,
  e: Epilogue,
): Int32Array | Float32Array | PackedImages {
  const g = conv2dGeometry(x, w, options);
  const conv = w.conv!;
  const n = w.rows;
  const rows = x.batch * g.outH * g.outW;
  const outWords = e.mode === "threshold" ? Math.ceil(n / 32) : n;
  if (e.mode === "threshold") {
    if (e.thresholds.length < n || e.flip.length < n) {
      throw new BitopsError("SHAPE_MISMATCH", `${where}: ${n} thresholds and flips needed`);
    }
    if (e.out) {
      validatePackedImages(e.out, `${where}: out`);
      if (
        e.out.batch !== x.batch ||
        e.out.height !== g.outH ||
        e.out.width !== g.outW ||
        e.out.channels !== n
      ) {
        throw new BitopsError(
          "SHAPE_MISMATCH",
          `${where}: out is ${e.out.batch}×${e.out.height}×${e.out.width}×${e.out.channels}, the result is ${x.batch}×${g.outH}×${g.outW}×${n}`,
        );
      }
    }
  } else {
    if (e.mode === "scaleBias" && (e.scale.length < n || e.bias.length < n)) {
      throw new BitopsError("SHAPE_MISMATCH", `${where}: ${n} scales and biases needed`);
    }
    if (e.out && e.out.length < rows * n) {
      throw new BitopsError(
        "SHAPE_MISMATCH",
        `${where}: out holds ${e.out.length} values, ${rows * n} needed`,
      );
    }
  }
  const ctx = defaultContext();
  const heap = ctx.heap;
  const kernels = ctx.kernels();
  const wPtr = uploadedWeights(w);
  const scratchRows = Math.max(1, Math.min(SCRATCH_ROWS, rows));
  const inWords = x.batch * x.height * x.width * x.wordsPerPixel;
  const input = heap.alloc(Math.max(inWords * 4, 16));
  const scratch = heap.alloc(scratchRows * w.wordsPerRow * 4);
  const out = heap.alloc(Math.max(rows * outWords * 4, 16));
  const p0 = heap.alloc(Math.max(n * 4, 16));
  const p1 = heap.alloc(Math.max(n * 4, 16));
  try {
    heap.u32(input, inWords).set(x.data.subarray(0, inWords));
    if (e.mode === "threshold") {
      heap.i32(p0, n).set(e.thresholds.subarray(0, n));
      heap.u8(p1, n).set(e.flip.subarray(0, n));
    } else if (e.mode === "scaleBias") {
      heap.f32(p0, n).set(e.scale.subarray(0, n));
      heap.f32(p1, n).set(e.bias.subarray(0, n));
    }
    const args: ConvArgs = {
      input,
      height: x.height,
      width: x.width,
      wordsPerPixel: x.wordsPerPixel,
      lastWordMask: lastWordMask(conv.inChannels) >>> 0,
      kernelH: conv.kernelH,
      kernelW: conv.kernelW,
      stride: g.stride,
      padTop: g.padTop,
      padLeft: g.padLeft,
      outH: g.outH,
      outW: g.outW,
      gemm: {
        mode: e.mode as OutputMode,
        a: scratch,
        aStride: w.wordsPerRow * 4,
        w: wPtr,
        n,
        k: w.cols,
        kWords: w.wordsPerRow,
        out,
        outStride: outWords * 4,
        p0,
        p1,
      },
      scratchRows,
    };
    kernels.conv2dRows(args, 0, rows);
    if (e.mode === "dot") {
      const result = e.out ?? new Int32Array(rows * n);
      result.set(heap.i32(out, rows * n));
      return result;
    }
    if (e.mode === "scaleBias") {
      const result = e.out ?? new Float32Array(rows * n);
      result.set(heap.f32(out, rows * n));
      return result;
    }
    const result = e.out ?? createPackedImages(x.batch, g.outH, g.outW, n);
    result.data.set(heap.u32(out, rows * outWords));
    return result;
  } finally {
    heap.free(p1);
    heap.free(p0);
    heap.free(out);
    heap.free(scratch);
    heap.free(input);
  }
}

/**
 * Binary 2-D convolution over packed NHWC images with one-padding (pad bits are +1): Int32 dots
 * in NHWC order (batch·outH·outW·outChannels). `w` comes from `prepackConvWeights`.
 */
export function bconv2d(
  x: PackedImages,
  w: PackedWeights,
  options: Conv2dOptions = {},
  out?: Int32Array,
): Int32Array {
  return runConv("bconv2d", x, w, options, { mode: "dot", out }) as Int32Array;
}

/** `bconv2d` through per-channel thresholds to packed NHWC bits (rule of `bgemmThreshold`). */
export function bconv2dThreshold(
  x: PackedImages,
  w: PackedWeights,
  thresholds: Int32Array,
  flip: Uint8Array,
  options: Conv2dOptions = {},
  out?: PackedImages,
): PackedImages {
  return runConv("bconv2dThreshold", x, w, options, {
    mode: "threshold",
    thresholds,
    flip,
    out,
  }) as PackedImages;
}

/** `bconv2d` through a per-channel float scale and bias (NHWC float32). */
export function bconv2dScaleBias(
  x: PackedImages,
  w: PackedWeights,
  scale: Float32Array,
  bias: Float32Array,
  options: Conv2dOptions = {},
  out?: Float32Array,
): Float32Array {
  return runConv("bconv2dScaleBias", x, w, options, { mode: "scaleBias", scale, bias, out }) as Float32Array;
}

export interface Pool2dOptions {
  /** Window size (square, default 2) or [height, width]. */
  size?: number | readonly [number, number];
  /** Default: the window size. */
  stride?: number;
  /** "valid" (default) or "same" (padded positions count as −1, so they never win the OR). */
  padding?: "same" | "valid";
}

export function poolGeometry(x: PackedImages, options: Pool2dOptions = {}) {
  const size = options.size ?? 2;
  const [ph, pw] = typeof size === "number" ? [size, size] : size;
  const g = windowGeometry(
    x.height,
    x.width,
    ph,
    pw,
    { stride: options.stride ?? ph, padding: options.padding ?? "valid" },
    "bmaxPool2d",
  );
  return { ...g, poolH: ph, poolW: pw };
}

/** Binary max-pool over packed NHWC images: the OR of each window's bits (max of ±1). */
export function bmaxPool2d(x: PackedImages, options: Pool2dOptions = {}, out?: PackedImages): PackedImages {
  validatePackedImages(x, "bmaxPool2d: x");
  const g = poolGeometry(x, options);
  const result = out ?? createPackedImages(x.batch, g.outH, g.outW, x.channels);
  validatePackedImages(result, "bmaxPool2d: out");
  if (
    result.batch !== x.batch ||
    result.height !== g.outH ||
    result.width !== g.outW ||
    result.channels !== x.channels
  ) {
    throw new BitopsError("SHAPE_MISMATCH", "bmaxPool2d: out has the wrong shape");
  }
  const ctx = defaultContext();
  const heap = ctx.heap;
  const inWords = x.batch * x.height * x.width * x.wordsPerPixel;
  const outWords = x.batch * g.outH * g.outW * x.wordsPerPixel;
  const input = heap.alloc(Math.max(inWords * 4, 16));
  const output = heap.alloc(Math.max(outWords * 4, 16));
  try {
    heap.u32(input, inWords).set(x.data.subarray(0, inWords));
    const args: PoolArgs = {
      input,
      height: x.height,
      width: x.width,
      wordsPerPixel: x.wordsPerPixel,
      poolH: g.poolH,
      poolW: g.poolW,
      stride: g.stride,
      padTop: g.padTop,
      padLeft: g.padLeft,
      outH: g.outH,
      outW: g.outW,
      out: output,
    };
    ctx.kernels().maxPool2dRows(args, 0, x.batch * g.outH * g.outW);
    result.data.set(heap.u32(output, outWords));
    return result;
  } finally {
    heap.free(output);
    heap.free(input);
  }
}
