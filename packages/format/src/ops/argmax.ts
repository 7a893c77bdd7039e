import { type NodeBase, type OpDef, type OpReference, requireKind } from "./op.js";

/** Index of the largest element of a float32 [N] vector (lowest on ties); only as a graph output. */
export interface ArgmaxNodeV2 extends NodeBase {
  readonly op: "argmax";
}

export const argmax: OpDef<ArgmaxNodeV2> = {
  op: "argmax",
  arity: [1, 1],
  parse: () => ({}),
  infer(node, [input], _tensor, path) {
    requireKind(input!, path, node.op, ["float32"], [1]);
    return { kind: "index", shape: [] };
  },
  tensors: () => [],
  cost: (_node, [input]) => ({ comparisons: input!.shape[0]! }),
};

export const argmaxReference: OpReference<ArgmaxNodeV2> = (_node, [x]) => {
  let best = 0;
  for (let i = 1; i < x!.data.length; i++) if (x!.data[i]! > x!.data[best]!) best = i;
  return { kind: "index", shape: [], data: Int32Array.of(best) };
};
