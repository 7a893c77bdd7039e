import { add } from "./add.js";
import { argmax } from "./argmax.js";
import { avgPool2d } from "./avg-pool2d.js";
import { batchNorm } from "./batch-norm.js";
import { bconv2d } from "./bconv2d.js";
import { bdense } from "./bdense.js";
import { bitPlaneConv2d } from "./bit-plane-conv2d.js";
import { bitPlaneDense } from "./bit-plane-dense.js";
import { concat } from "./concat.js";
import { conv2d } from "./conv2d.js";
import { dense } from "./dense.js";
import { depthwiseConv2d } from "./depthwise-conv2d.js";
import { dequantize } from "./dequantize.js";
import { flatten } from "./flatten.js";
import { globalAvgPool } from "./global-avg-pool.js";
import { maxPool2d } from "./max-pool2d.js";
import { mul } from "./mul.js";
import type { NodeBase, OpDef } from "./op.js";
import { pad } from "./pad.js";
import { prelu } from "./prelu.js";
import { quantize } from "./quantize.js";
import { relu } from "./relu.js";
import { reshape } from "./reshape.js";
import { rprelu } from "./rprelu.js";
import { sign } from "./sign.js";
import { softmax } from "./softmax.js";

/** Every op of a version 2 graph (SPEC.md C.3), in the spec's order: adding an op adds a line here. */
export const OPS_V2 = [
  bconv2d,
  bdense,
  bitPlaneConv2d,
  bitPlaneDense,
  conv2d,
  depthwiseConv2d,
  dense,
  add,
  concat,
  mul,
  batchNorm,
  relu,
  prelu,
  rprelu,
  sign,
  quantize,
  dequantize,
  maxPool2d,
  avgPool2d,
  globalAvgPool,
  pad,
  reshape,
  flatten,
  softmax,
  argmax,
] as const;

/** A node of a version 2 graph (the union of every op's node type). */
export type GraphNodeV2 = (typeof OPS_V2)[number] extends infer D
  ? D extends OpDef<infer N>
    ? N
    : never
  : never;

export type OpNameV2 = GraphNodeV2["op"];

const BY_NAME: ReadonlyMap<string, OpDef> = new Map(OPS_V2.map((d) => [d.op, d as unknown as OpDef]));

/** The op module of `op`, or undefined for an unknown name. */
export function opDef(op: string): OpDef<NodeBase> | undefined {
  return BY_NAME.get(op);
}

export const OP_NAMES_V2: readonly OpNameV2[] = OPS_V2.map((d) => d.op) as OpNameV2[];
