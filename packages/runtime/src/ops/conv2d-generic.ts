import { type Lowering, geometryDilated } from "../lowering.js";
import { type FloatConv, floatConvOperands } from "./conv2d.js";

/** A grouped, depthwise or dilated float convolution (graph models only): the generic step. */
export function lowerFloatConvGeneric(
  L: Lowering,
  node: FloatConv,
  groups: number,
  x: number,
  inShape: readonly number[],
  outShape: readonly number[],
): number {
  const { xf, h, w, c, outH, outW, n, wt, bias, costPerRow } = floatConvOperands(
    L,
    node,
    groups,
    x,
    inShape,
    outShape,
  );
  const g = geometryDilated(h, w, node.kernel, node.stride, node.dilation, node.padding);
  const out = L.addValue({ kind: "float32", sampleBytes: 4 * outH * outW * n, elements: outH * outW * n });
  L.step((a) => ({
    op: "conv2dGeneric",
    node: node.name,
    rowsPerSample: outH * outW,
    costPerRow,
    x: a.value(xf),
    height: h,
    width: w,
    channels: c,
    n,
    kernelH: node.kernel[0],
    kernelW: node.kernel[1],
    strideH: node.stride[0],
    strideW: node.stride[1],
    dilationH: node.dilation[0],
    dilationW: node.dilation[1],
    groups,
    padTop: g.padTop,
    padLeft: g.padLeft,
    outH,
    outW,
    padValue: node.padValue,
    w: a.weight(wt),
    bias: bias < 0 ? 0 : a.weight(bias),
    out: a.value(out),
  }));
  return out;
}
