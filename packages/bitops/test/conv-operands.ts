// Seeded random operands of a binary convolution test, and its pointer-API arguments.
import {
  type ConvArgs,
  type ConvWeights,
  type GemmArgs,
  type PackedImages,
  lastWordMask,
  packConvWeights,
  packImages,
  type windowGeometry,
} from "../src/index.js";
import { randomValues } from "./backends.js";

export interface ConvCase {
  batch: number;
  height: number;
  width: number;
  channels: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  seed: number;
}

/** Images (seed) and OHWI weights (seed + 1) packed by the signs of seeded random values. */
export function randomConvOperands(c: ConvCase): { x: PackedImages; cw: ConvWeights } {
  const x = packImages(
    randomValues(c.batch * c.height * c.width * c.channels, c.seed),
    c.batch,
    c.height,
    c.width,
    c.channels,
  );
  const k = c.kernelH * c.kernelW * c.channels;
  const cw = packConvWeights(
    randomValues(c.outChannels * k, c.seed + 1),
    c.outChannels,
    c.kernelH,
    c.kernelW,
    c.channels,
  );
  return { x, cw };
}

/** conv2dRows' arguments for images x (stored at `input`) and weights cw, with the window geometry g. */
export function convArgs(
  x: PackedImages,
  input: number,
  cw: ConvWeights,
  g: ReturnType<typeof windowGeometry>,
  gemm: GemmArgs,
  scratchRows: number,
): ConvArgs {
  return {
    input,
    height: x.height,
    width: x.width,
    wordsPerPixel: x.wordsPerPixel,
    lastWordMask: lastWordMask(x.channels) | 0, // int32, as @onebit/runtime passes it (negative at 31 channels)
    kernelH: cw.kernelH,
    kernelW: cw.kernelW,
    stride: g.stride,
    padTop: g.padTop,
    padLeft: g.padLeft,
    outH: g.outH,
    outW: g.outW,
    gemm,
    scratchRows,
  };
}
