import type { BConv2dNode, BitTensor } from "@onebit/format";
import { NS_PER_BINARY_MAC } from "../cost-model.js";
import { geometryDilated } from "../lowering.js";
import { lowerClamp } from "./clamp.js";
import type { LowerOp } from "./lower-op.js";

/**
 * A binary convolution with dilation, groups or zero padding (graph models only): a plain per-bit
 * step, then the output's clamp if it has one.
 */
export const lowerBConvGeneric: LowerOp<BConv2dNode> = (L, node, [x], [inInfo], outInfo) => {
  const [h, w, c] = inInfo!.shape as [number, number, number];
  const [outH, outW, n] = outInfo.shape as [number, number, number];
  const g = geometryDilated(h, w, node.kernel, node.stride, node.dilation, node.padding);
  const t = L.tensor<BitTensor>(node.weights);
  const wt = L.addWeight(t.data);
  const o = L.integerOutput(node.output, n, outH * outW, { h: outH, w: outW });
  const xv = L.value(x!);
  const outRowWords = o.mode === "threshold" ? o.outStride / 4 : n;
  L.step((a) => ({
    op: "bconvGeneric",
    node: node.name,
    rowsPerSample: outH * outW,
    costPerRow: n * node.kernel[0] * node.kernel[1] * (c / node.groups) * NS_PER_BINARY_MAC * 64,
    input: a.value(x!),
    height: h,
    width: w,
    channels: c,
    inWpp: xv.bits!.wpp,
    kernelH: node.kernel[0],
    kernelW: node.kernel[1],
    strideH: node.stride[0],
    strideW: node.stride[1],
    dilationH: node.dilation[0],
    dilationW: node.dilation[1],
    groups: node.groups,
    padTop: g.padTop,
    padLeft: g.padLeft,
    outH,
    outW,
    n,
    padOne: node.padValue,
    w: a.weight(wt),
    wWords: t.layout.wordsPerRow,
    mode: o.mode,
    out: a.value(o.value),
    outRowWords,
    p0: o.p0 < 0 ? 0 : a.weight(o.p0),
    p1: o.p1 < 0 ? 0 : a.weight(o.p1),
  }));
  return lowerClamp(L, node, o.value, outInfo);
};
