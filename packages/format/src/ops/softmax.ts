import { type NodeBase, type OpDef, type OpReference, requireKind, value } from "./op.js";

/** Softmax over a float32 [N] vector (SPEC.md §5.5). */
export interface SoftmaxNodeV2 extends NodeBase {
  readonly op: "softmax";
}

export const softmax: OpDef<SoftmaxNodeV2> = {
  op: "softmax",
  arity: [1, 1],
  parse: () => ({}),
  infer: (node, [input], _tensor, path) =>
    value("float32", [...requireKind(input!, path, node.op, ["float32"], [1])], path),
  tensors: () => [],
  cost: (_node, [input]) => ({ comparisons: 3 * input!.shape[0]! }),
};

export const softmaxReference: OpReference<SoftmaxNodeV2> = (_node, [x]) => {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of x!.data) m = Math.max(m, v);
  const e = Array.from(x!.data, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return { kind: "float32", shape: x!.shape, data: Float32Array.from(e, (v) => v / s) };
};
