import { channelwiseOp } from "./channelwise.js";
import type { NodeBase } from "./op.js";

/** y = max(x, 0). */
export interface ReluNode extends NodeBase {
  readonly op: "relu";
}

const op = channelwiseOp<ReluNode>("relu", [], (x) => Math.max(x, 0));

export const relu = op.def;
export const reluReference = op.reference;
