import { type NodeBase, type OpDef, type OpReference, elementsOf, requireKind, value } from "./op.js";

/** Bits → float32 ±1 (LceDequantize). */
export interface DequantizeNode extends NodeBase {
  readonly op: "dequantize";
}

export const dequantize: OpDef<DequantizeNode> = {
  op: "dequantize",
  arity: [1, 1],
  parse: () => ({}),
  infer: (node, [input], _tensor, path) =>
    value("float32", [...requireKind(input!, path, node.op, ["bits"], [1, 3])], path),
  tensors: () => [],
  cost: (_node, [input]) => ({ comparisons: elementsOf(input!.shape) }),
};

export const dequantizeReference: OpReference<DequantizeNode> = (_node, [x]) => ({
  kind: "float32",
  shape: x!.shape,
  data: Float32Array.from(x!.data),
});
