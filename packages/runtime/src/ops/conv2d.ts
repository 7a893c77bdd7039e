import type { Conv2dNode, Pair, Padding, Tensor } from "@onebit/format";
import { NS_PER_FLOAT_MAC } from "../cost-model.js";
import { requireGraphSupport } from "../graph-loader.js";
import { type Lowering, geometry } from "../lowering.js";
import type { Addresses } from "../memory-layout.js";
import type { LowerOp } from "./lower-op.js";

export interface FloatConv {
  readonly name: string;
  readonly weights: string;
  readonly bias?: string;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly padValue: number;
}

/**
 * What every float convolution step reads — its float input, weights and bias, shapes and cost —
 * and `fields`, the step fields they make (the same in the im2col and the generic step).
 */
export function floatConvOperands(
  L: Lowering,
  node: FloatConv,
  groups: number,
  x: number,
  inShape: readonly number[],
  outShape: readonly number[],
) {
  const xf = L.asFloat(x);
  const [h, w, c] = inShape as [number, number, number];
  const [outH, outW, n] = outShape as [number, number, number];
  const wt = L.addWeight(L.tensor<Tensor>(node.weights).data);
  const bias = node.bias === undefined ? -1 : L.addWeight(L.tensor<Tensor>(node.bias).data);
  const costPerRow = n * node.kernel[0] * node.kernel[1] * (c / groups) * NS_PER_FLOAT_MAC;
  const fields = (a: Addresses, g: { padTop: number; padLeft: number }) => ({
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
  });
  return { h, w, c, outH, outW, n, fields };
}

/**
 * A float convolution with `groups`: the im2col float step for groups 1 without dilation (every
 * version 1 chain's), the generic step (the graph code's) otherwise.
 */
export function lowerFloatConv(
  L: Lowering,
  node: FloatConv,
  groups: number,
  x: number,
  inShape: readonly number[],
  outShape: readonly number[],
): number {
  if (groups !== 1 || node.dilation[0] !== 1 || node.dilation[1] !== 1)
    return requireGraphSupport(node.name).lowerFloatConvGeneric(L, node, groups, x, inShape, outShape);
  const { h, w, outH, outW, n, fields } = floatConvOperands(L, node, groups, x, inShape, outShape);
  const g = geometry(h, w, node.kernel, node.stride, node.padding);
  const { value, epilogue } = L.floatOutput(n, outH * outW, outH, outW);
  L.step((a) => ({ op: "conv2dFloat", ...fields(a, g), out: a.value(value), epilogue: epilogue(a) }));
  return value;
}

export const lowerConv2d: LowerOp<Conv2dNode> = (L, node, [x], [inInfo], outInfo) =>
  lowerFloatConv(L, node, node.groups, x!, inInfo!.shape, outInfo.shape);
