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

/** Binary convolution (SPEC.md C.3): bits in, XNOR-popcount dots, one of the binary outputs. */
export interface BConv2dNode extends NodeBase {
  readonly op: "bconv2d";
  readonly weights: string;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly padding: Padding;
  /** 1: padded positions are +1 bits; 0: they are left out of the dot (LCE zero padding). */
  readonly padValue: 0 | 1;
  readonly output: BinaryOutput;
}

export const bconv2d: OpDef<BConv2dNode> = {
  op: "bconv2d",
  arity: [1, 1],
  parse: (o, path) => ({
    weights: ref(o, "weights", path),
    kernel: pair(o, "kernel", path),
    stride: pair(o, "stride", path),
    dilation: pair(o, "dilation", path, [1, 1]),
    groups: optionalInteger(o, "groups", path, 1, 65_536, 1),
    padding: padding(o, path),
    padValue: optionalInteger(o, "padValue", path, 0, 1, 1) as 0 | 1,
    output: parseBinaryOutput(o, path),
  }),
  infer(node, [input], tensor, path) {
    const [h, w, c] = requireKind(input!, path, node.op, ["bits"], [3]) as [number, number, number];
    const { units, cIn } = convWeights(node, c, "bit", tensor, path);
    const { rows, cols } = windowFits(h, w, node.kernel, node.stride, node.dilation, node.padding, path);
    const kind = inferBinaryOutput(node.output, units, node.kernel[0] * node.kernel[1] * cIn, tensor, path);
    return value(kind, [rows.out, cols.out, units], path);
  },
  tensors: (node) => [node.weights, ...binaryOutputTensors(node.output)],
  cost: (node, [input], out) => ({
    binaryMacs: elementsOf(out.shape) * node.kernel[0] * node.kernel[1] * (input!.shape[2]! / node.groups),
    comparisons: node.output.kind === "int32" ? 0 : elementsOf(out.shape),
  }),
};

export const bconv2dReference: OpReference<BConv2dNode> = (node, [x], tensors) => {
  const [h, w, c] = x!.shape as [number, number, number];
  const { data, outH, outW, units } = bitWeightConvolve(
    {
      h,
      w,
      c,
      kernel: node.kernel,
      stride: node.stride,
      dilation: node.dilation,
      groups: node.groups,
      padding: node.padding,
    },
    x!.data,
    tensors.get(node.weights)!,
    node.padValue === 1 ? 1 : null,
  );
  return applyBinaryOutput(node.output, data, units, [outH, outW, units], tensors);
};
