import type { Padding, Pair } from "../graph.js";
import { fail } from "../json-check.js";
import { floatConvCost, inferFloatConv, parseFloatConv, referenceFloatConv } from "./conv2d.js";
import type { NodeBase, OpDef, OpReference, ValueInfoV2 } from "./op.js";

/**
 * Depthwise float convolution (SPEC.md C.3): `conv2d` with one group per input channel; weights
 * [C·m, kh, kw, 1], output channel o reads input channel ⌊o/m⌋.
 */
export interface DepthwiseConv2dNode extends NodeBase {
  readonly op: "depthwiseConv2d";
  readonly weights: string;
  readonly bias?: string;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly padValue: number;
}

const grouped = (node: DepthwiseConv2dNode, input: ValueInfoV2) => ({
  ...node,
  groups: input.shape[input.shape.length - 1] ?? 1,
});

export const depthwiseConv2d: OpDef<DepthwiseConv2dNode> = {
  op: "depthwiseConv2d",
  arity: [1, 1],
  parse: (o, path) => parseFloatConv(o, path, false) as Omit<DepthwiseConv2dNode, keyof NodeBase>,
  infer(node, [input], tensor, path) {
    if (input!.shape.length !== 3) fail("BAD_GRAPH", path, `depthwiseConv2d takes a rank-3 input`);
    return inferFloatConv(grouped(node, input!), input!, tensor, path);
  },
  tensors: (node) => (node.bias === undefined ? [node.weights] : [node.weights, node.bias]),
  cost: (node, [input], out) => floatConvCost(grouped(node, input!), input!, out),
};

export const depthwiseConv2dReference: OpReference<DepthwiseConv2dNode> = (node, [x], tensors) =>
  referenceFloatConv(grouped(node, x!), x!, tensors);
