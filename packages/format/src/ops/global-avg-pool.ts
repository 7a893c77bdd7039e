import { type NodeBase, type OpDef, type OpReference, elementsOf, requireKind, value } from "./op.js";

/** Mean over all positions: float32 [H, W, C] → [C]. */
export interface GlobalAvgPoolNode extends NodeBase {
  readonly op: "globalAvgPool";
}

export const globalAvgPool: OpDef<GlobalAvgPoolNode> = {
  op: "globalAvgPool",
  arity: [1, 1],
  parse: () => ({}),
  infer: (node, [input], _tensor, path) =>
    value("float32", [requireKind(input!, path, node.op, ["float32"], [3])[2]!], path),
  tensors: () => [],
  cost: (_node, [input]) => ({ comparisons: elementsOf(input!.shape) }),
};

export const globalAvgPoolReference: OpReference<GlobalAvgPoolNode> = (_node, [x]) => {
  const [h, w, c] = x!.shape as [number, number, number];
  const sums = new Float64Array(c);
  for (let i = 0; i < h * w * c; i++) sums[i % c]! += x!.data[i]!;
  return { kind: "float32", shape: [c], data: Float32Array.from(sums, (s) => s / (h * w)) };
};
