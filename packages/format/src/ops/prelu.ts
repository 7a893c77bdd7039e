import { channelwiseOp } from "./channelwise.js";
import type { NodeBase } from "./op.js";

/** y = x ≥ 0 ? x : α[c]·x. */
export interface PReluNode extends NodeBase {
  readonly op: "prelu";
  readonly alpha: string;
}

const op = channelwiseOp<PReluNode>("prelu", ["alpha"], (x, [a]) => (x >= 0 ? x : a! * x));

export const prelu = op.def;
export const preluReference = op.reference;
