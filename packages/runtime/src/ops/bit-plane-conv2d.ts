import type { BitPlaneConv2dNode } from "@onebit/format";
import { clampedOutput, lowerKernelConv } from "./binary-conv.js";
import type { LowerOp } from "./lower-op.js";

export const lowerBitPlaneConv2d: LowerOp<BitPlaneConv2dNode> = (L, node, [x], [inInfo], outInfo) =>
  clampedOutput(L, node, lowerKernelConv(L, node, true, node.padValue, x!, inInfo!, outInfo), outInfo);
