import type { DepthwiseConv2dNode } from "@onebit/format";
import { lowerFloatConv } from "./conv2d.js";
import type { LowerOp } from "./lower-op.js";

/** A float convolution with one group per input channel. */
export const lowerDepthwiseConv2d: LowerOp<DepthwiseConv2dNode> = (L, node, [x], [inInfo], outInfo) =>
  lowerFloatConv(L, node, inInfo!.shape[2]!, x!, inInfo!.shape, outInfo.shape);
