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
  const { h, w, outH, outW, n, fields } = floatConvOperands(L, node, groups, x, inShape, outShape);
  const g = geometryDilated(h, w, node.kernel, node.stride, node.dilation, node.padding);
  const out = L.addValue({ kind: "float32", sampleBytes: 4 * outH * outW * n, elements: outH * outW * n });
  L.step((a) => ({
    op: "conv2dGeneric",
    ...fields(a, g),
    dilationH: node.dilation[0],
    dilationW: node.dilation[1],
    groups,
    out: a.value(out),
  }));
  return out;
}
