import { type NodeBase, type OpDef, elementsOf, requireKind, value } from "./op.js";
import { sign } from "./sign.js";

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
  reference: (node, inputs, tensors) =>
    sign.reference({ op: "sign", name: node.name, inputs: node.inputs }, inputs, tensors),
  cost: (_node, [input]) => ({ comparisons: elementsOf(input!.shape) }),
};
