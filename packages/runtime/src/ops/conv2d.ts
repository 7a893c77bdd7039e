import type { Conv2dNode, Pair, Padding, Tensor } from "@onebit/format";
import { NS_PER_FLOAT_MAC } from "../cost-model.js";
import { type Lowering, geometry, geometryDilated } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

interface FloatConv {
  readonly name: string;
  readonly weights: string;
  readonly bias?: string;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly padValue: number;
}

/** A float convolution with `groups` (1: the im2col float step; otherwise, or dilated, the generic step). */
export function lowerFloatConv(
  L: Lowering,
  node: FloatConv,
  groups: number,
  x: number,
  inShape: readonly number[],
  outShape: readonly number[],
): number {
  const xf = L.asFloat(x);
  const [h, w, c] = inShape as [number, number, number];
  const [outH, outW, n] = outShape as [number, number, number];
  const wt = L.addWeight(L.tensor<Tensor>(node.weights).data);
  const bias = node.bias === undefined ? -1 : L.addWeight(L.tensor<Tensor>(node.bias).data);
  const costPerRow = n * node.kernel[0] * node.kernel[1] * (c / groups) * NS_PER_FLOAT_MAC;
  if (groups === 1 && node.dilation[0] === 1 && node.dilation[1] === 1) {
    const g = geometry(h, w, node.kernel, node.stride, node.padding);
    const { value, epilogue } = L.floatOutput(n, outH * outW, outH, outW);
    L.step((a) => ({
      op: "conv2dFloat",
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
      padTop: g.padTop,
      padLeft: g.padLeft,
      outH,
      outW,
      padValue: node.padValue,
      w: a.weight(wt),
      bias: bias < 0 ? 0 : a.weight(bias),
      out: a.value(value),
      epilogue: epilogue(a),
    }));
    return value;
  }
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

export const lowerConv2d: LowerOp<Conv2dNode> = (L, node, [x], [inInfo], outInfo) =>
  lowerFloatConv(L, node, node.groups, x!, inInfo!.shape, outInfo.shape);
