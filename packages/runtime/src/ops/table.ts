import type { GraphNodeV2, OpNameV2 } from "@onebit/format";
import { lowerArgmax } from "./argmax.js";
import { lowerBConv2d } from "./bconv2d.js";
import { lowerBDense } from "./bdense.js";
import { lowerBitPlaneConv2d } from "./bit-plane-conv2d.js";
import { lowerBitPlaneDense } from "./bit-plane-dense.js";
import { lowerConv2d } from "./conv2d.js";
import { lowerDense } from "./dense.js";
import { lowerFlatten } from "./flatten.js";
import type { LowerOp } from "./lower-op.js";
import { lowerMaxPool2d } from "./max-pool2d.js";
import { lowerSoftmax } from "./softmax.js";

/** How each op of a version 2 graph is lowered. */
export type LoweringTable = { readonly [K in OpNameV2]: LowerOp<Extract<GraphNodeV2, { op: K }>> };

/** The ops a version 1 chain becomes (SPEC.md C.6, besides the signs its float layers fuse). */
export type ChainOp =
  | "bconv2d"
  | "bdense"
  | "bitPlaneConv2d"
  | "bitPlaneDense"
  | "conv2d"
  | "dense"
  | "maxPool2d"
  | "flatten"
  | "softmax"
  | "argmax";
/** The ops only version 2 graphs use: lowered by graph-table.ts (the graph code). */
export type GraphOnlyOp = Exclude<OpNameV2, ChainOp>;

/**
 * How each op of a version 1 chain is lowered (one module per op), always at hand; the other ops'
 * lowerings are in graph-table.ts. Adding an op adds a line here or there.
 */
export const CHAIN_LOWERINGS: Pick<LoweringTable, ChainOp> = {
  bconv2d: lowerBConv2d,
  bdense: lowerBDense,
  bitPlaneConv2d: lowerBitPlaneConv2d,
  bitPlaneDense: lowerBitPlaneDense,
  conv2d: lowerConv2d,
  dense: lowerDense,
  maxPool2d: lowerMaxPool2d,
  flatten: lowerFlatten,
  softmax: lowerSoftmax,
  argmax: lowerArgmax,
};
