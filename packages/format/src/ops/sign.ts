import {
  type NodeBase,
  type OpDef,
  type OpReference,
  channels,
  defined,
  elementsOf,
  floatData,
  optionalRef,
  requireKind,
  value,
} from "./op.js";

/**
 * Float → bits with a per-channel threshold (ReActNet's RSign; BatchNorm + sign after a float
 * layer): bit = flip[c] ? x ≤ t[c] : x ≥ t[c]; no thresholds = 0 (sign(0) = +1).
 */
export interface SignNode extends NodeBase {
  readonly op: "sign";
  readonly thresholds?: string;
  readonly flip?: string;
}

export const sign: OpDef<SignNode> = {
  op: "sign",
  arity: [1, 1],
  parse: (o, path) =>
    defined({ thresholds: optionalRef(o, "thresholds", path), flip: optionalRef(o, "flip", path) }),
  infer(node, [input], tensor, path) {
    const shape = requireKind(input!, path, node.op, ["float32"], [1, 3]);
    if (node.thresholds !== undefined)
      tensor(node.thresholds, `${path}.thresholds`, "float32", [channels(shape)]);
    if (node.flip !== undefined) tensor(node.flip, `${path}.flip`, "uint8", [channels(shape)]);
    return value("bits", [...shape], path);
  },
  tensors: (node) => [node.thresholds, node.flip].filter((t): t is string => t !== undefined),
  cost: (_node, [input]) => ({ comparisons: elementsOf(input!.shape) }),
};

export const signReference: OpReference<SignNode> = (node, [x], tensors) => {
  const t = node.thresholds === undefined ? undefined : floatData(tensors, node.thresholds);
  const flip = node.flip === undefined ? undefined : (tensors.get(node.flip)!.data as Uint8Array);
  const c = channels(x!.shape);
  const data = new Float32Array(x!.data.length);
  for (let i = 0; i < data.length; i++) {
    const th = t ? t[i % c]! : 0;
    const v = x!.data[i]!;
    data[i] = (flip?.[i % c] ? v <= th : v >= th) ? 1 : -1;
  }
  return { kind: "bits", shape: x!.shape, data };
};
