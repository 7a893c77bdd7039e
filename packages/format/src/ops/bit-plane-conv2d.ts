import type { Padding, Pair } from "../graph.js";
import {
  type BinaryOutput,
  applyBinaryOutput,
  binaryOutputTensors,
  inferBinaryOutput,
  parseBinaryOutput,
} from "./binary-output.js";
import {
  type NodeBase,
  type OpDef,
  type OpReference,
  elementsOf,
  optionalInteger,
  pair,
  padding,
  ref,
  requireKind,
  value,
  windowFits,
} from "./op.js";
import { bitWeightConvolve } from "./bit-weight-reference.js";
import { convWeights } from "./conv-weights.js";

/** Exact 8-bit-input convolution (SPEC.md C.3, §5 `conv2dBitPlane`). */
export interface BitPlaneConv2dNode extends NodeBase {
  readonly op: "bitPlaneConv2d";
  readonly weights: string;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
  /** The raw byte padded positions hold. */
  readonly padValue: number;
  readonly output: BinaryOutput;
}

const ONE: Pair = [1, 1];

export const bitPlaneConv2d: OpDef<BitPlaneConv2dNode> = {
  op: "bitPlaneConv2d",
  arity: [1, 1],
  parse: (o, path) => ({
    weights: ref(o, "weights", path),
    kernel: pair(o, "kernel", path),
    stride: pair(o, "stride", path),
    padding: padding(o, path),
    padValue: optionalInteger(o, "padValue", path, 0, 255, 0),
    output: parseBinaryOutput(o, path),
  }),
  infer(node, [input], tensor, path) {
    const [h, w, c] = requireKind(input!, path, node.op, ["uint8"], [3]) as [number, number, number];
    const { units } = convWeights({ ...node, groups: 1 }, c, "bit", tensor, path);
    const { rows, cols } = windowFits(h, w, node.kernel, node.stride, ONE, node.padding, path);
    const kind = inferBinaryOutput(
      node.output,
      units,
      255 * node.kernel[0] * node.kernel[1] * c,
      tensor,
      path,
    );
    return value(kind, [rows.out, cols.out, units], path);
  },
  tensors: (node) => [node.weights, ...binaryOutputTensors(node.output)],
  cost: (node, [input], out) => ({
    int8Macs: elementsOf(out.shape) * node.kernel[0] * node.kernel[1] * input!.shape[2]!,
    comparisons: node.output.kind === "int32" ? 0 : elementsOf(out.shape),
  }),
};

export const bitPlaneConv2dReference: OpReference<BitPlaneConv2dNode> = (node, [x], tensors) => {
  const [h, w, c] = x!.shape as [number, number, number];
  const { data, outH, outW, units } = bitWeightConvolve(
    { h, w, c, kernel: node.kernel, stride: node.stride, dilation: ONE, groups: 1, padding: node.padding },
    x!.data,
    tensors.get(node.weights)!,
    node.padValue,
  );
  return applyBinaryOutput(node.output, data, units, [outH, outW, units], tensors);
};
