import { type NodeBase, type OpDef, type OpReference, elementsOf, requireKind, value } from "./op.js";

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
  cost: () => ({}),
};

export const flattenReference: OpReference<FlattenNodeV2> = (_node, [x]) => ({
  ...x!,
  shape: [x!.data.length],
});
