import type { GraphNodeV2, ValueInfoV2 } from "@onebit/format";
import type { Lowering } from "../lowering.js";

/**
 * How one op becomes steps (SPEC.md C.3): given the ids of its input values and the kinds and
 * shapes the format inferred, it adds values, weights and step builders to the lowering and
 * returns the id of the value it produces.
 */
export type LowerOp<N extends GraphNodeV2 = GraphNodeV2> = (
  L: Lowering,
  node: N,
  inputs: readonly number[],
  inInfo: readonly ValueInfoV2[],
  outInfo: ValueInfoV2,
) => number;
