import { channelwiseOp } from "./channelwise.js";
import type { NodeBase } from "./op.js";

/** ReActNet's RPReLU: y = prelu(x − γ[c]) + ζ[c], each step in float32. */
export interface RPReluNode extends NodeBase {
  readonly op: "rprelu";
  readonly shiftIn: string;
  readonly alpha: string;
  readonly shiftOut: string;
}

const op = channelwiseOp<RPReluNode>("rprelu", ["shiftIn", "alpha", "shiftOut"], (x, [g, a, z]) => {
  const t = Math.fround(x - g!);
  return Math.fround(t >= 0 ? t : Math.fround(a! * t)) + z!;
});

export const rprelu = op.def;
export const rpreluReference = op.reference;
