import { TensorError, assertDimension, assertLength, assertPositive } from "./errors.js";
import { nativeThreads } from "./native-gemm.js";
import { activeNativeTrainKernels } from "./native-train.js";

/** NHWC max-pooling over windows without padding ('valid'). */
export interface MaxPool2dParams {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  poolH: number;
  poolW: number;
  strideH: number;
  strideW: number;
}

export interface MaxPool2dResult {
  /** [batch, outH, outW, channels] */
  output: Float32Array;
  /** For each output element, the flat index into the input of the maximum (first one on ties). */
  argmax: Int32Array;
  outH: number;
  outW: number;
}

/** Checks pooling parameters ('valid' windows that fit the input); the output height and width. */
export function poolOutputSize(p: MaxPool2dParams, what: string): { outH: number; outW: number } {
  assertDimension(p.batch, `${what} batch`);
  for (const key of ["inH", "inW", "channels", "poolH", "poolW", "strideH", "strideW"] as const) {
    assertPositive(p[key], `${what} ${key}`);
  }
  if (p.inH < p.poolH || p.inW < p.poolW) {
    throw new TensorError(
      "SHAPE_MISMATCH",
      `${what}: input ${p.inH}×${p.inW} is smaller than the ${p.poolH}×${p.poolW} window`,
    );
  }
  return {
    outH: Math.floor((p.inH - p.poolH) / p.strideH) + 1,
    outW: Math.floor((p.inW - p.poolW) / p.strideW) + 1,
  };
}

export function maxPool2d(input: Float32Array, p: MaxPool2dParams): MaxPool2dResult {
  const { outH, outW } = poolOutputSize(p, "maxPool2d");
  const { batch, inH, inW, channels: ch, poolH, poolW, strideH, strideW } = p;
  assertLength(input, batch * inH * inW * ch, "maxPool2d input [batch, inH, inW, channels]");
  const output = new Float32Array(batch * outH * outW * ch);
  const argmax = new Int32Array(output.length);
  const native = activeNativeTrainKernels();
  if (native && input.length < 2 ** 31) {
    const g = Int32Array.of(batch, inH, inW, ch, poolH, poolW, strideH, strideW, 0, 0, outH, outW);
    native.maxPoolF32(input, output, argmax, g, nativeThreads());
    return { output, argmax, outH, outW };
  }
  let o = 0;
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++) {
        const base = ((b * inH + oy * strideH) * inW + ox * strideW) * ch;
        for (let c = 0; c < ch; c++, o++) {
          let best = base + c;
          let bestValue = input[best]!;
          for (let ky = 0; ky < poolH; ky++)
            for (let kx = 0; kx < poolW; kx++) {
              const idx = base + (ky * inW + kx) * ch + c;
              const v = input[idx]!;
              // A NaN wins over numbers, so NaNs propagate as in other frameworks.
              if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
                bestValue = v;
                best = idx;
              }
            }
          output[o] = bestValue;
          argmax[o] = best;
        }
      }
  return { output, argmax, outH, outW };
}

/**
 * Routes each output gradient to the input position that won the max (gradients of overlaps add).
 * `images`: how many equal parts (images of a batch) the arrays hold, each part's maxima inside its
 * own part of the input — the native kernel then splits the work by whole images among threads
 * (same bits on any count); default 1. Writes into `out` (inputSize long) when given.
 */
export function maxPool2dBackward(
  gradOut: Float32Array,
  argmax: Int32Array,
  inputSize: number,
  images = 1,
  out?: Float32Array,
): Float32Array {
  assertDimension(inputSize, "maxPool2dBackward inputSize");
  assertPositive(images, "maxPool2dBackward images");
  if (gradOut.length !== argmax.length) {
    throw new TensorError(
      "SHAPE_MISMATCH",
      `maxPool2dBackward: gradOut has ${gradOut.length} elements but argmax has ${argmax.length}`,
    );
  }
  if (gradOut.length % images !== 0 || inputSize % images !== 0) {
    throw new TensorError(
      "SHAPE_MISMATCH",
      `maxPool2dBackward: ${gradOut.length} outputs and ${inputSize} inputs are not ${images} equal images`,
    );
  }
  if (out) assertLength(out, inputSize, "maxPool2dBackward out");
  const gradInput = out ? out.subarray(0, inputSize) : new Float32Array(inputSize);
  const native = activeNativeTrainKernels();
  if (native) {
    const bad = native.maxPoolBackwardF32(gradOut, argmax, gradInput, images, nativeThreads());
    if (bad >= 0) throw outsideImage(bad, argmax[bad]!, inputSize, images);
    return gradInput;
  }
  if (out) gradInput.fill(0);
  const perImageOut = gradOut.length / images;
  const perImageIn = inputSize / images;
  for (let i = 0; i < argmax.length; i++) {
    const idx = argmax[i]!;
    const lo = Math.floor(i / perImageOut) * perImageIn;
    if (idx < lo || idx >= lo + perImageIn) throw outsideImage(i, idx, inputSize, images);
    gradInput[idx]! += gradOut[i]!;
  }
  return gradInput;
}

function outsideImage(i: number, idx: number, inputSize: number, images: number): TensorError {
  return new TensorError(
    "OUT_OF_BOUNDS",
    images === 1
      ? `maxPool2dBackward: argmax[${i}] = ${idx} is outside an input of ${inputSize} elements`
      : `maxPool2dBackward: argmax[${i}] = ${idx} is outside its image (${images} images of ${inputSize / images} elements)`,
  );
}
