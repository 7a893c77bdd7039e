import type { ConvGeometry, Conv2dFloatStep, Conv2dGenericStep, DenseFloatStep } from "./plan.js";

/**
 * A float convolution as the float glue kernels (native and WebAssembly) take it: grouped and
 * dilated convolutions as they are, plain ones with groups and dilation 1, and a dense layer as a
 * 1×1 convolution over one pixel of k channels per sample. Read from a step once, so each kernel
 * has a single call site whatever the step kind.
 */
export interface FloatConvCall extends ConvGeometry {
  readonly x: number;
  readonly w: number;
  /** 0 = no bias. */
  readonly bias: number;
  readonly out: number;
  readonly padValue: number;
}

export function floatConvCall(s: Conv2dFloatStep | Conv2dGenericStep | DenseFloatStep): FloatConvCall {
  const { x, w, bias, out } = s;
  if (s.op === "denseFloat") {
    const one = { height: 1, width: 1, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, outH: 1, outW: 1 };
    return {
      x,
      w,
      bias,
      out,
      ...one,
      channels: s.k,
      n: s.n,
      dilationH: 1,
      dilationW: 1,
      padTop: 0,
      padLeft: 0,
      groups: 1,
      padValue: 0,
    };
  }
  const generic = s.op === "conv2dGeneric";
  return {
    x,
    w,
    bias,
    out,
    height: s.height,
    width: s.width,
    channels: s.channels,
    n: s.n,
    kernelH: s.kernelH,
    kernelW: s.kernelW,
    strideH: s.strideH,
    strideW: s.strideW,
    dilationH: generic ? s.dilationH : 1,
    dilationW: generic ? s.dilationW : 1,
    padTop: s.padTop,
    padLeft: s.padLeft,
    outH: s.outH,
    outW: s.outW,
    groups: generic ? s.groups : 1,
    padValue: s.padValue,
  };
}
