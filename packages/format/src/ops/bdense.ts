import {
  type BinaryOutput,
  applyBinaryOutput,
  binaryOutputTensors,
  inferBinaryOutput,
  parseBinaryOutput,
} from "./binary-output.js";
import { bitWeightDots } from "./bit-weight-reference.js";
import { type NodeBase, type OpDef, type OpReference, ref, requireKind, value } from "./op.js";

/** Binary fully connected layer: z[o] = Σ x[k]·w[o][k] over ±1 (SPEC.md C.3). */
export interface BDenseNode extends NodeBase {
  readonly op: "bdense";
  readonly weights: string;
  readonly output: BinaryOutput;
}

export const bdense: OpDef<BDenseNode> = {
  op: "bdense",
  arity: [1, 1],
  parse: (o, path) => ({ weights: ref(o, "weights", path), output: parseBinaryOutput(o, path) }),
  infer(node, [input], tensor, path) {
    const [k] = requireKind(input!, path, node.op, ["bits"], [1]) as [number];
    const [units] = tensor(node.weights, `${path}.weights`, "bit", (s) =>
      s.length === 2 && s[0]! >= 1 && s[1] === k ? undefined : `[units, ${k}]`,
    ) as [number];
    return value(inferBinaryOutput(node.output, units, k, tensor, path), [units], path);
  },
  tensors: (node) => [node.weights, ...binaryOutputTensors(node.output)],
  cost: (node, [input], out) => ({
    binaryMacs: input!.shape[0]! * out.shape[0]!,
    comparisons: node.output.kind === "int32" ? 0 : out.shape[0]!,
  }),
};

export const bdenseReference: OpReference<BDenseNode> = (node, [x], tensors) => {
  const z = bitWeightDots(x!.data, tensors.get(node.weights)!);
  return applyBinaryOutput(node.output, z, z.length, [z.length], tensors);
};
