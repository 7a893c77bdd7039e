import type { Padding, Pair } from "../graph.js";
import type { Tensor } from "../tensor.js";
import {
  type NodeBase,
  type OpDef,
  type OpReference,
  type RefValue,
  type RequireTensor,
  asFloats,
  defined,
  elementsOf,
  floatData,
  optionalInteger,
  optionalNumber,
  optionalRef,
  pair,
  padding,
  ref,
  requireKind,
  value,
  windowFits,
} from "./op.js";
import type { JsonObject } from "../json-check.js";
import { convWeights } from "./conv-weights.js";
import { convolve } from "./window-ref.js";

/** Float convolution (SPEC.md C.3). */
export interface Conv2dNode extends NodeBase {
  readonly op: "conv2d";
  readonly weights: string;
  readonly bias?: string;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly padding: Padding;
  readonly padValue: number;
}

type FloatConv = Omit<Conv2dNode, "op" | "groups"> & { readonly op: string; readonly groups: number };

export function parseFloatConv(o: JsonObject, path: string, withGroups: boolean) {
  return defined({
    weights: ref(o, "weights", path),
    bias: optionalRef(o, "bias", path),
    kernel: pair(o, "kernel", path),
    stride: pair(o, "stride", path),
    dilation: pair(o, "dilation", path, [1, 1]),
    ...(withGroups ? { groups: optionalInteger(o, "groups", path, 1, 65_536, 1) } : {}),
    padding: padding(o, path),
    padValue: optionalNumber(o, "padValue", path, 0),
  });
}

/** Output shape of a float convolution with `groups` (checks weights [O, kh, kw, C/groups] and bias). */
export function inferFloatConv(
  node: FloatConv,
  input: { kind: string; shape: readonly number[] },
  tensor: RequireTensor,
  path: string,
) {
  const [h, w, c] = requireKind(input as never, path, node.op, ["float32", "uint8"], [3]) as [
    number,
    number,
    number,
  ];
  const { units } = convWeights(node, c, "float32", tensor, path);
  if (node.bias !== undefined) tensor(node.bias, `${path}.bias`, "float32", [units]);
  const { rows, cols } = windowFits(h, w, node.kernel, node.stride, node.dilation, node.padding, path);
  return value("float32", [rows.out, cols.out, units], path);
}

export function referenceFloatConv(
  node: FloatConv,
  x: RefValue,
  tensors: ReadonlyMap<string, Tensor>,
): RefValue {
  const [h, w, c] = x.shape as [number, number, number];
  const t = tensors.get(node.weights)!;
  const wd = t.data as Float32Array;
  const units = t.shape[0]!;
  const { data, outH, outW } = convolve(
    {
      h,
      w,
      c,
      outChannels: units,
      kernel: node.kernel,
      stride: node.stride,
      dilation: node.dilation,
      groups: node.groups,
      padding: node.padding,
    },
    asFloats(x),
    wd,
    node.padValue,
  );
  const bias = node.bias === undefined ? undefined : floatData(tensors, node.bias);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.fround(data[i]! + (bias ? bias[i % units]! : 0));
  return { kind: "float32", shape: [outH, outW, units], data: out };
}

export function floatConvCost(
  node: FloatConv,
  input: { shape: readonly number[] },
  out: { shape: readonly number[] },
) {
  return {
    floatMacs: elementsOf(out.shape) * node.kernel[0] * node.kernel[1] * (input.shape[2]! / node.groups),
  };
}

export const conv2d: OpDef<Conv2dNode> = {
  op: "conv2d",
  arity: [1, 1],
  parse: (o, path) => parseFloatConv(o, path, true) as Omit<Conv2dNode, keyof NodeBase>,
  infer: (node, [input], tensor, path) => inferFloatConv(node, input!, tensor, path),
  tensors: (node) => (node.bias === undefined ? [node.weights] : [node.weights, node.bias]),
  cost: (node, [input], out) => floatConvCost(node, input!, out),
};

export const conv2dReference: OpReference<Conv2dNode> = (node, [x], tensors) =>
  referenceFloatConv(node, x!, tensors);
