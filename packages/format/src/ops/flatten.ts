import { type NodeBase, type OpDef, elementsOf, requireKind, value } from "./op.js";

/** Row-major (NHWC) flattening to rank 1; the kind is unchanged. */
export interface FlattenNodeV2 extends NodeBase {
  readonly op: "flatten";
}

export const flatten: OpDef<FlattenNodeV2> = {
  op: "flatten",
  arity: [1, 1],
  parse: () => ({}),
  infer: (node, [input], _tensor, path) =>
    value(
      input!.kind,
      [elementsOf(requireKind(input!, path, node.op, ["float32", "uint8", "bits", "int32"], [1, 3]))],
      path,
    ),
  tensors: () => [],
  reference: (_node, [x]) => ({ ...x!, shape: [x!.data.length] }),
  cost: () => ({}),
};
