import { type NodeBase, type OpDef, type OpReference, elementsOf, requireKind, value } from "./op.js";
import { signReference } from "./sign.js";

/** Float → bits, bit = x ≥ 0 (Larq Compute Engine's LceQuantize): `sign` without thresholds. */
export interface QuantizeNode extends NodeBase {
  readonly op: "quantize";
}

export const quantize: OpDef<QuantizeNode> = {
  op: "quantize",
  arity: [1, 1],
  parse: () => ({}),
  infer: (node, [input], _tensor, path) =>
    value("bits", [...requireKind(input!, path, node.op, ["float32"], [1, 3])], path),
  tensors: () => [],
  cost: (_node, [input]) => ({ comparisons: elementsOf(input!.shape) }),
};

export const quantizeReference: OpReference<QuantizeNode> = (node, inputs, tensors) =>
  signReference({ op: "sign", name: node.name, inputs: node.inputs }, inputs, tensors);
