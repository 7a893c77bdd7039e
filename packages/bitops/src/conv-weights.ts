import { lastWordMask } from "./bit-matrix.js";
import { BitopsError, assertNonNegativeInteger } from "./errors.js";
import type { SignSource } from "./pack.js";
import { type PackedWeights, copyRowsOut, prepackRows, validatePackedWeights } from "./packed-weights.js";

/**
 * Binary convolution weights in OHWI order, packed like NHWC pixels: output o, tap (dy, dx) holds
 * the inChannels bits in wordsPerPixel = ceil(inChannels/32) words at
 * ((o·kernelH + dy)·kernelW + dx)·wordsPerPixel (bits past inChannels zero). This is the
 * interchange form; `prepackConvWeights` makes the kernel form.
 */
export interface ConvWeights {
  readonly outChannels: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly inChannels: number;
  readonly wordsPerPixel: number;
  readonly data: Uint32Array;
}

/** Packs OHWI-ordered values (outChannels·kernelH·kernelW·inChannels of them) by sign. */
export function packConvWeights(
  values: SignSource,
  outChannels: number,
  kernelH: number,
  kernelW: number,
  inChannels: number,
): ConvWeights {
  for (const [v, what] of [
    [outChannels, "outChannels"],
    [kernelH, "kernelH"],
    [kernelW, "kernelW"],
    [inChannels, "inChannels"],
  ] as const) {
    assertNonNegativeInteger(v, what);
  }
  const taps = outChannels * kernelH * kernelW;
  if (values.length !== taps * inChannels) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `packConvWeights: ${values.length} values cannot form ${outChannels}×${kernelH}×${kernelW}×${inChannels} weights`,
    );
  }
  const wordsPerPixel = Math.ceil(inChannels / 32);
  const data = new Uint32Array(taps * wordsPerPixel);
  for (let t = 0; t < taps; t++) {
    for (let c = 0; c < inChannels; c++) {
      const v = values[t * inChannels + c] as number;
      if (v >= 0) data[t * wordsPerPixel + (c >>> 5)]! |= 1 << (c & 31);
      else if (!(v < 0))
        throw new BitopsError("NON_FINITE", `packConvWeights: NaN at tap ${t}, channel ${c}`);
    }
  }
  return { outChannels, kernelH, kernelW, inChannels, wordsPerPixel, data };
}

/** Prepacks convolution weights for `bconv2d`: rows are outputs, K = kernelH·kernelW·inChannels. */
export function prepackConvWeights(w: ConvWeights): PackedWeights {
  const wpp = Math.ceil(w.inChannels / 32);
  const rowWords = w.kernelH * w.kernelW * wpp;
  if (w.wordsPerPixel !== wpp || w.data.length < w.outChannels * rowWords) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `prepackConvWeights: ${w.outChannels}×${w.kernelH}×${w.kernelW}×${w.inChannels} weights need ${w.outChannels * rowWords} words, have ${w.data.length}`,
    );
  }
  // Gap bits past inChannels in each tap's last word must be zero: mask every tap's last word.
  const masked = w.data.slice(0, w.outChannels * rowWords);
  const mask = lastWordMask(w.inChannels);
  for (let i = wpp - 1; i < masked.length; i += wpp) masked[i]! &= mask;
  return prepackRows(
    masked,
    w.outChannels,
    rowWords,
    rowWords,
    w.kernelH * w.kernelW * w.inChannels,
    0xffffffff,
    {
      kernelH: w.kernelH,
      kernelW: w.kernelW,
      inChannels: w.inChannels,
    },
  );
}

/** The ConvWeights that `prepackConvWeights` was given. */
export function unprepackConvWeights(w: PackedWeights): ConvWeights {
  validatePackedWeights(w, "unprepackConvWeights");
  if (!w.conv) {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      "unprepackConvWeights: these are GEMM weights, use unprepackWeights",
    );
  }
  const { kernelH, kernelW, inChannels } = w.conv;
  const wordsPerPixel = Math.ceil(inChannels / 32);
  const data = new Uint32Array(w.rows * w.sourceWordsPerRow);
  copyRowsOut(w, data, w.sourceWordsPerRow);
  return { outChannels: w.rows, kernelH, kernelW, inChannels, wordsPerPixel, data };
}
