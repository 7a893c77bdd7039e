import type { AvgPool2dNode, Pair, Padding, ValueInfoV2 } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import { type Lowering, geometry } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

/** A float average pool (the mean over the window's positions inside the image). */
export function lowerAvgPoolOf(
  L: Lowering,
  name: string,
  x: number,
  inShape: readonly number[],
  outInfo: ValueInfoV2,
  kernel: Pair,
  stride: Pair,
  padding: Padding,
): number {
  const [h, w, c] = inShape as [number, number, number];
  const outH = outInfo.shape.length === 3 ? outInfo.shape[0]! : 1;
  const outW = outInfo.shape.length === 3 ? outInfo.shape[1]! : 1;
  const g = geometry(h, w, kernel, stride, padding);
  const out = L.addValue({ kind: "float32", sampleBytes: 4 * outH * outW * c, elements: outH * outW * c });
  const window = Math.min(kernel[0], h) * Math.min(kernel[1], w);
  L.step((a) => ({
    op: "avgPool",
    node: name,
    rowsPerSample: outH * outW,
    costPerRow: c * window * NS_PER_ELEMENT,
    input: a.value(x),
    height: h,
    width: w,
    channels: c,
    poolH: kernel[0],
    poolW: kernel[1],
    strideH: stride[0],
    strideW: stride[1],
    padTop: g.padTop,
    padLeft: g.padLeft,
    outH,
    outW,
    out: a.value(out),
  }));
  return out;
}

export const lowerAvgPool2d: LowerOp<AvgPool2dNode> = (L, node, [x], [inInfo], outInfo) =>
  lowerAvgPoolOf(L, node.name, x!, inInfo!.shape, outInfo, node.kernel, node.stride, node.padding);
