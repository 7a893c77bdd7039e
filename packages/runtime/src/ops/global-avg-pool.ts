import type { GlobalAvgPoolNode } from "@onebit/format";
import { lowerAvgPoolOf } from "./avg-pool2d.js";
import type { LowerOp } from "./lower-op.js";

/** The mean over all positions: an average pool whose one window is the whole image. */
export const lowerGlobalAvgPool: LowerOp<GlobalAvgPoolNode> = (L, node, [x], [inInfo], outInfo) => {
  const [h, w] = inInfo!.shape as [number, number, number];
  return lowerAvgPoolOf(L, node.name, x!, inInfo!.shape, outInfo, [h, w], [1, 1], "valid");
};
