import { fail } from "../json-check.js";
import { type NodeBase, type OpDef, type OpReference, elementsOf, fmt, requireKind, value } from "./op.js";

/** y = a + b, two float32 values of one shape (residual shortcuts). */
export interface AddNode extends NodeBase {
  readonly op: "add";
}

export const add: OpDef<AddNode> = {
  op: "add",
  arity: [2, 2],
  parse: () => ({}),
  infer(node, [a, b], _tensor, path) {
    const shape = requireKind(a!, path, node.op, ["float32"], [1, 3]);
    requireKind(b!, path, node.op, ["float32"], [1, 3]);
    if (fmt(a!.shape) !== fmt(b!.shape))
      fail(
        "BAD_GRAPH",
        `${path}.inputs`,
        `add needs equal shapes, got ${fmt(a!.shape)} and ${fmt(b!.shape)}`,
      );
    return value("float32", [...shape], path);
  },
  tensors: () => [],
  cost: (_node, [a]) => ({ comparisons: elementsOf(a!.shape) }),
};

export const addReference: OpReference<AddNode> = (_node, [a, b]) => {
  const data = new Float32Array(a!.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(a!.data[i]! + b!.data[i]!);
  return { kind: "float32", shape: a!.shape, data };
};
