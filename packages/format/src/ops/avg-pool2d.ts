import type { Padding, Pair } from "../graph.js";
import {
  type NodeBase,
  type OpDef,
  type OpReference,
  pair,
  padding,
  requireKind,
  value,
  windowFits,
} from "./op.js";
import { poolWindows, windowReads } from "./window-ref.js";

/** Average pooling over the window's positions inside the image (Bi-Real/ReActNet shortcuts). */
export interface AvgPool2dNode extends NodeBase {
  readonly op: "avgPool2d";
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
}

const ONE: Pair = [1, 1];

export const avgPool2d: OpDef<AvgPool2dNode> = {
  op: "avgPool2d",
  arity: [1, 1],
  parse: (o, path) => ({
    kernel: pair(o, "kernel", path),
    stride: pair(o, "stride", path),
    padding: padding(o, path),
  }),
  infer(node, [input], _tensor, path) {
    const [h, w, c] = requireKind(input!, path, node.op, ["float32"], [3]) as [number, number, number];
    const { rows, cols } = windowFits(h, w, node.kernel, node.stride, ONE, node.padding, path);
    return value("float32", [rows.out, cols.out, c], path);
  },
  tensors: () => [],
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

export const avgPool2dReference: OpReference<AvgPool2dNode> = (node, [x]) => {
  const [h, w, c] = x!.shape as [number, number, number];
  const { data, outH, outW } = poolWindows(
    h,
    w,
    c,
    node.kernel,
    node.stride,
    node.padding,
    x!.data,
    0,
    (a, v) => a + v,
    (a, n) => a / n,
  );
  return { kind: "float32", shape: [outH, outW, c], data: Float32Array.from(data) };
};
