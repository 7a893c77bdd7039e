import { channelwiseOp } from "./channelwise.js";
import type { NodeBase } from "./op.js";

/** Per-channel scale y = x·scale[c] (e.g. XNOR-Net's α where it cannot fold). */
export interface MulNode extends NodeBase {
  readonly op: "mul";
  readonly scale: string;
}

const op = channelwiseOp<MulNode>("mul", ["scale"], (x, [s]) => x * s!);

export const mul = op.def;
export const mulReference = op.reference;
