import type { Padding, Pair } from "../graph.js";
import { fail } from "../json-check.js";
import {
  type NodeBase,
  type OpDef,
  type OpReference,
  bitOf,
  defined,
  optionalRef,
  pair,
  padding,
  requireKind,
  value,
  windowFits,
} from "./op.js";
import { poolWindows, windowReads } from "./window-ref.js";

/** Max pooling (float: max; bits: OR, AND on `minMask` channels); padding left out (SPEC.md §5). */
export interface MaxPool2dNodeV2 extends NodeBase {
  readonly op: "maxPool2d";
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
  readonly minMask?: string;
}

const ONE: Pair = [1, 1];

export const maxPool2d: OpDef<MaxPool2dNodeV2> = {
  op: "maxPool2d",
  arity: [1, 1],
  parse: (o, path) =>
    defined({
      kernel: pair(o, "kernel", path),
      stride: pair(o, "stride", path),
      padding: padding(o, path),
      minMask: optionalRef(o, "minMask", path),
    }),
  infer(node, [input], tensor, path) {
    const [h, w, c] = requireKind(input!, path, node.op, ["float32", "bits"], [3]) as [
      number,
      number,
      number,
    ];
    if (node.minMask !== undefined) {
      if (input!.kind !== "bits")
        fail("BAD_GRAPH", `${path}.minMask`, "only a pool over bits can have a minMask");
      tensor(node.minMask, `${path}.minMask`, "bit", [c]);
    }
    const { rows, cols } = windowFits(h, w, node.kernel, node.stride, ONE, node.padding, path);
    return value(input!.kind, [rows.out, cols.out, c], path);
  },
  tensors: (node) => (node.minMask === undefined ? [] : [node.minMask]),
  cost: (node, [input]) => {
    const [h, w, c] = input!.shape as [number, number, number];
    return {
      comparisons:
        windowReads(h, node.kernel[0], node.stride[0], node.padding) *
        windowReads(w, node.kernel[1], node.stride[1], node.padding) *
        c,
    };
  },
};

export const maxPool2dReference: OpReference<MaxPool2dNodeV2> = (node, [x], tensors) => {
  const [h, w, c] = x!.shape as [number, number, number];
  const mask = node.minMask === undefined ? undefined : tensors.get(node.minMask)!;
  // min over ±1 = −max over the negated values: flip the masked channels before and after.
  const flipOf = (i: number) => (mask && bitOf(mask, 0, i % c) === 1 ? -1 : 1);
  const src = mask ? Float32Array.from(x!.data, (v, i) => v * flipOf(i)) : x!.data;
  const { data, outH, outW } = poolWindows(
    h,
    w,
    c,
    node.kernel,
    node.stride,
    node.padding,
    src,
    Number.NEGATIVE_INFINITY,
    Math.max,
    (a) => a,
  );
  return { kind: x!.kind, shape: [outH, outW, c], data: Float32Array.from(data, (v, i) => v * flipOf(i)) };
};
