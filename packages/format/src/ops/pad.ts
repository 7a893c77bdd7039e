import { asArray, asInteger, fail, own } from "../json-check.js";
import {
  type NodeBase,
  type OpDef,
  type OpReference,
  defined,
  optionalNumber,
  requireKind,
  value,
} from "./op.js";

/** Explicit spatial padding: [H, W, C] → [H + top + bottom, W + left + right, C] filled with `value`. */
export interface PadNode extends NodeBase {
  readonly op: "pad";
  /** [top, bottom, left, right]. */
  readonly pads: readonly [number, number, number, number];
  /** Float32: finite, default 0; bits: +1 or −1, default +1. */
  readonly value?: number;
}

export const pad: OpDef<PadNode> = {
  op: "pad",
  arity: [1, 1],
  parse(o, path) {
    const a = asArray(own(o, "pads"), `${path}.pads`, "BAD_GRAPH", 4);
    if (a.length !== 4) fail("BAD_GRAPH", `${path}.pads`, "expected [top, bottom, left, right]");
    const pads = a.map((v, i) =>
      asInteger(v, `${path}.pads[${i}]`, "BAD_GRAPH", 0, 65_535),
    ) as unknown as PadNode["pads"];
    const v = own(o, "value");
    return defined({ pads, value: v === undefined ? undefined : optionalNumber(o, "value", path, 0) });
  },
  infer(node, [input], _tensor, path) {
    const [h, w, c] = requireKind(input!, path, node.op, ["float32", "bits"], [3]) as [
      number,
      number,
      number,
    ];
    if (input!.kind === "bits" && node.value !== undefined && node.value !== 1 && node.value !== -1)
      fail("BAD_GRAPH", `${path}.value`, `a pad of bits holds +1 or −1, got ${node.value}`);
    const [t, b, l, r] = node.pads;
    return value(input!.kind, [h + t + b, w + l + r, c], path);
  },
  tensors: () => [],
  cost: (_node, _inputs, out) => ({ comparisons: out.shape.reduce((p, d) => p * d, 1) }),
};

export const padReference: OpReference<PadNode> = (node, [x]) => {
  const [h, w, c] = x!.shape as [number, number, number];
  const [t, b, l, r] = node.pads;
  const fill = node.value ?? (x!.kind === "bits" ? 1 : 0);
  const H = h + t + b;
  const W = w + l + r;
  const data = new Float32Array(H * W * c).fill(fill);
  for (let y = 0; y < h; y++)
    data.set(x!.data.subarray(y * w * c, (y + 1) * w * c) as Float32Array, ((y + t) * W + l) * c);
  return { kind: x!.kind, shape: [H, W, c], data };
};
