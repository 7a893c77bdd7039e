import {
  type NodeBase,
  type OpDef,
  type OpReference,
  asFloats,
  defined,
  floatData,
  optionalRef,
  ref,
  requireKind,
  value,
} from "./op.js";

/** Float fully connected layer: y[o] = Σ W[o][k]·x[k] + bias[o] (bits read as ±1, bytes normalized). */
export interface DenseNode extends NodeBase {
  readonly op: "dense";
  readonly weights: string;
  readonly bias?: string;
}

export const dense: OpDef<DenseNode> = {
  op: "dense",
  arity: [1, 1],
  parse: (o, path) => defined({ weights: ref(o, "weights", path), bias: optionalRef(o, "bias", path) }),
  infer(node, [input], tensor, path) {
    const [k] = requireKind(input!, path, node.op, ["float32", "uint8", "bits"], [1]) as [number];
    const [units] = tensor(node.weights, `${path}.weights`, "float32", (s) =>
      s.length === 2 && s[0]! >= 1 && s[1] === k ? undefined : `[units, ${k}]`,
    ) as [number];
    if (node.bias !== undefined) tensor(node.bias, `${path}.bias`, "float32", [units]);
    return value("float32", [units], path);
  },
  tensors: (node) => (node.bias === undefined ? [node.weights] : [node.weights, node.bias]),
  cost: (_node, [input], out) => ({ floatMacs: input!.shape[0]! * out.shape[0]! }),
};

export const denseReference: OpReference<DenseNode> = (node, [x], tensors) => {
  const w = floatData(tensors, node.weights);
  const bias = node.bias === undefined ? undefined : floatData(tensors, node.bias);
  const xs = asFloats(x!);
  const k = xs.length;
  const units = w.length / k;
  const out = new Float32Array(units);
  for (let o = 0; o < units; o++) {
    let s = bias ? bias[o]! : 0;
    for (let i = 0; i < k; i++) s += w[o * k + i]! * xs[i]!;
    out[o] = Math.fround(s);
  }
  return { kind: "float32", shape: [units], data: out };
};
