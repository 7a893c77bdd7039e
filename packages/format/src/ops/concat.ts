import { fail } from "../json-check.js";
import {
  type NodeBase,
  type OpDef,
  type OpReference,
  channels,
  elementsOf,
  fmt,
  requireKind,
  value,
} from "./op.js";

/** Concatenation along the last axis (channels) of values of one kind and equal leading dimensions. */
export interface ConcatNode extends NodeBase {
  readonly op: "concat";
}

export const concat: OpDef<ConcatNode> = {
  op: "concat",
  arity: [2, 64],
  parse: () => ({}),
  infer(node, inputs, _tensor, path) {
    const first = inputs[0]!;
    const lead = requireKind(first, path, node.op, ["float32", "bits"], [1, 3]).slice(0, -1);
    let total = 0;
    for (const v of inputs) {
      requireKind(v, path, node.op, [first.kind], [first.shape.length]);
      if (fmt(v.shape.slice(0, -1)) !== fmt(lead))
        fail(
          "BAD_GRAPH",
          `${path}.inputs`,
          `concat needs equal leading dimensions, got ${fmt(first.shape)} and ${fmt(v.shape)}`,
        );
      total += channels(v.shape);
    }
    return value(first.kind, [...lead, total], path);
  },
  tensors: () => [],
  cost: (_node, inputs) => ({ comparisons: inputs.reduce((s, v) => s + elementsOf(v.shape), 0) }),
};

export const concatReference: OpReference<ConcatNode> = (_node, inputs) => {
  const first = inputs[0]!;
  const cs = inputs.map((v) => channels(v.shape));
  const total = cs.reduce((a, b) => a + b, 0);
  const positions = first.data.length / cs[0]!;
  const data = new Float32Array(positions * total);
  for (let p = 0; p < positions; p++) {
    let at = p * total;
    inputs.forEach((v, i) => {
      data.set(v.data.subarray(p * cs[i]!, (p + 1) * cs[i]!) as Float32Array, at);
      at += cs[i]!;
    });
  }
  return { kind: first.kind, shape: [...first.shape.slice(0, -1), total], data };
};
