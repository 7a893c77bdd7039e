import type { BConv2dNode } from "@onebit/format";
import { requireGraphSupport } from "../graph-loader.js";
import { clampedOutput, lowerKernelConv } from "./binary-conv.js";
import type { LowerOp } from "./lower-op.js";

/**
 * Binary convolution: the bitops kernels for one-padding without dilation or groups (the common
 * case, and every version 1 chain's), a plain per-bit step (the graph code's) otherwise.
 */
export const lowerBConv2d: LowerOp<BConv2dNode> = (L, node, inputs, inInfo, outInfo) => {
  const plain = node.padValue === 1 && node.groups === 1 && node.dilation[0] === 1 && node.dilation[1] === 1;
  if (!plain) return requireGraphSupport(node.name).lowerBConvGeneric(L, node, inputs, inInfo, outInfo);
  return clampedOutput(L, node, lowerKernelConv(L, node, false, 1, inputs[0]!, inInfo[0]!, outInfo), outInfo);
};
