import { asFiniteNumber, fail, own } from "../json-check.js";
import { channelwiseOp } from "./channelwise.js";
import type { NodeBase } from "./op.js";

/** y = (x − μ)/√(σ² + ε)·γ + β, where it cannot fold into a binary op's output (SPEC.md C.3). */
export interface BatchNormNode extends NodeBase {
  readonly op: "batchNorm";
  readonly mean: string;
  readonly variance: string;
  readonly gamma: string;
  readonly beta: string;
  readonly epsilon: number;
}

const op = channelwiseOp<BatchNormNode>(
  "batchNorm",
  ["mean", "variance", "gamma", "beta"],
  (x, [m, v, g, b], node) => ((x - m!) / Math.sqrt(v! + node.epsilon)) * g! + b!,
  (o, path) => {
    const epsilon = asFiniteNumber(own(o, "epsilon"), `${path}.epsilon`, "BAD_GRAPH");
    if (!(epsilon > 0)) fail("BAD_GRAPH", `${path}.epsilon`, `must be > 0, got ${epsilon}`);
    return { epsilon };
  },
);

export const batchNorm = op.def;
export const batchNormReference = op.reference;
