import { asArray, asInteger, fail, own } from "../json-check.js";
import { LIMITS } from "../limits.js";
import { type NodeBase, type OpDef, type OpReference, elementsOf, fmt, requireKind, value } from "./op.js";

/** Row-major reshape to rank 1 or 3 with the same element count; elements unchanged. */
export interface ReshapeNode extends NodeBase {
  readonly op: "reshape";
  readonly shape: readonly number[];
}

const ALL = ["float32", "uint8", "bits", "int32"] as const;

export const reshape: OpDef<ReshapeNode> = {
  op: "reshape",
  arity: [1, 1],
  parse(o, path) {
    const a = asArray(own(o, "shape"), `${path}.shape`, "BAD_GRAPH", 3);
    if (a.length !== 1 && a.length !== 3)
      fail("BAD_GRAPH", `${path}.shape`, `expected rank 1 or 3, got ${a.length}`);
    return {
      shape: a.map((d, i) => asInteger(d, `${path}.shape[${i}]`, "BAD_GRAPH", 1, LIMITS.maxValueElements)),
    };
  },
  infer(node, [input], _tensor, path) {
    requireKind(input!, path, node.op, ALL, [1, 3]);
    if (elementsOf(node.shape) !== elementsOf(input!.shape))
      fail(
        "BAD_GRAPH",
        `${path}.shape`,
        `${fmt(node.shape)} does not hold the ${elementsOf(input!.shape)} elements of ${fmt(input!.shape)}`,
      );
    return value(input!.kind, [...node.shape], path);
  },
  tensors: () => [],
  cost: () => ({}),
};

export const reshapeReference: OpReference<ReshapeNode> = (node, [x]) => ({ ...x!, shape: node.shape });
