import {
  type BinaryOutput,
  checkGraphModel,
  type GraphModel,
  type GraphNodeV2,
  type Padding,
  type Pair,
  type Tensor,
  unpackBitTensor,
  type ValueInfoV2,
  windowAxis,
} from "@onebit/format";
import { type Initializer, type NodeSpec, encodeModel } from "./model.js";

/**
 * Translates a .onebit version 2 graph into an ONNX model that computes the same function in
 * float32, op by op (SPEC.md appendix C, @onebit/format's op modules and reference interpreter):
 * bits are the floats ±1, binary convolutions are float convolutions over ±1 weights, so
 * onnxruntime-node runs the float graph a binary model stands for, as a verified baseline.
 *
 * Layout: ONNX convolutions and pools are NCHW, the graph's values NHWC. A rank-3 value [H, W, C]
 * lives in ONNX as [N, C, H, W] (one Transpose after each NHWC input), a rank-1 value [F] as [N, F];
 * the batch N is symbolic. Reshape and flatten, defined on NHWC order, transpose back first unless
 * the two orders coincide (C = 1 or H·W = 1). Rank-3 graph outputs are transposed back to NHWC.
 * A uint8 input is fed as float32 holding the byte values; its normalization is applied on entry,
 * where the reference applies it when a float op reads it (the same value for every op that can).
 */

export type GraphToOnnxErrorCode = "UNSUPPORTED_OP" | "UNSUPPORTED_VALUE";

export class GraphToOnnxError extends Error {
  constructor(
    readonly code: GraphToOnnxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "GraphToOnnxError";
  }
}

/** Where a graph value lives in the ONNX graph, and its per-sample shape in the .onebit graph. */
interface Placed {
  readonly onnx: string;
  readonly shape: readonly number[];
}

const NCHW_FROM_NHWC = [0, 3, 1, 2];
const NHWC_FROM_NCHW = [0, 2, 3, 1];

/** Whether NHWC and NCHW order the elements of [H, W, C] alike (no transpose needed between them). */
function sameOrder(shape: readonly number[]): boolean {
  return shape.length !== 3 || shape[2] === 1 || shape[0]! * shape[1]! === 1;
}

/** ONNX conv/pool pads [top, left, bottom, right] of a window, from format's 'same'/'valid' rule. */
function windowPads(
  shape: readonly number[],
  kernel: Pair,
  stride: Pair,
  dilation: Pair,
  padding: Padding,
): number[] {
  const rows = windowAxis(shape[0]!, (kernel[0] - 1) * dilation[0] + 1, stride[0], padding);
  const cols = windowAxis(shape[1]!, (kernel[1] - 1) * dilation[1] + 1, stride[1], padding);
  return [rows.padBefore, cols.padBefore, rows.padAfter, cols.padAfter];
}

/** Weights [O, kh, kw, I] (NHWC convention) to ONNX's [O, I, kh, kw]. */
function oihw(w: Float32Array, shape: readonly number[]): Float32Array {
  const [o, kh, kw, ci] = shape as [number, number, number, number];
  const t = new Float32Array(w.length);
  for (let u = 0; u < o; u++)
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let c = 0; c < ci; c++)
          t[((u * ci + c) * kh + y) * kw + x] = w[((u * kh + y) * kw + x) * ci + c]!;
  return t;
}

class Translator {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Initializer[] = [];
  private readonly placed = new Map<string, Placed>();
  private readonly used: Set<string>;
  private count = 0;
  /** Kind and per-sample shape of every value (format's checker). */
  readonly values: ReadonlyMap<string, ValueInfoV2>;

  constructor(private readonly model: GraphModel) {
    const { graph } = model;
    this.values = checkGraphModel(model).values;
    this.used = new Set([...graph.inputs.map((i) => i.name), ...graph.nodes.map((n) => n.name)]);
  }

  /** A fresh ONNX name that no graph value has. */
  fresh(hint: string): string {
    let name: string;
    do name = `${hint}#${this.count++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  tensor(name: string): Tensor {
    const t = this.model.tensors.get(name);
    if (!t) throw new GraphToOnnxError("UNSUPPORTED_VALUE", `tensor ${JSON.stringify(name)} is missing`);
    return t;
  }

  floats(name: string): Float32Array {
    const t = this.tensor(name);
    if (t.dtype === "float32") return t.data as Float32Array;
    if (t.dtype === "int32" || t.dtype === "uint8" || t.dtype === "int8") return Float32Array.from(t.data);
    return unpackBitTensor(t);
  }

  constant(hint: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, data });
    return name;
  }

  scalar(v: number): string {
    return this.constant("scalar", [], Float32Array.of(v));
  }

  /** A per-channel tensor shaped to broadcast over a value of `shape` ([C, 1, 1] or [C]). */
  channelwise(data: Float32Array, shape: readonly number[]): string {
    const c = shape[shape.length - 1]!;
    return this.constant("channels", shape.length === 3 ? [c, 1, 1] : [c], data);
  }

  emit(op: string, inputs: string[], attributes?: NodeSpec["attributes"], output?: string): string {
    const out = output ?? this.fresh(op);
    this.nodes.push({ op, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
    return out;
  }

  place(name: string, onnx: string, shape: readonly number[]): void {
    this.placed.set(name, { onnx, shape });
  }

  get(name: string): Placed {
    return this.placed.get(name)!;
  }

  /** The value's elements in NHWC order as [N, total] (flatten's and reshape's view). */
  flat(v: Placed): string {
    const nhwc = sameOrder(v.shape) ? v.onnx : this.emit("Transpose", [v.onnx], { perm: NHWC_FROM_NCHW });
    const total = v.shape.reduce((a, b) => a * b, 1);
    return this.emit("Reshape", [nhwc, this.constant("shape", [2], BigInt64Array.of(0n, BigInt(total)))]);
  }

  /** Row-major (NHWC) reshape of `v` to `shape`, placed in this translation's layout. */
  reshape(v: Placed, shape: readonly number[]): string {
    const flat = this.flat(v);
    if (shape.length === 1) return flat;
    const [h, w, c] = shape as [number, number, number];
    const dims = (d: number[]) => this.constant("shape", [4], BigInt64Array.from([0, ...d], BigInt));
    if (sameOrder(shape)) return this.emit("Reshape", [flat, dims([c, h, w])]);
    const nhwc = this.emit("Reshape", [flat, dims([h, w, c])]);
    return this.emit("Transpose", [nhwc], { perm: NCHW_FROM_NHWC });
  }

  /** Pads an NCHW value with a constant (ONNX pads: begins of N, C, H, W, then ends). */
  pad(x: string, [top, left, bottom, right]: readonly number[], value: number): string {
    const pads = BigInt64Array.from([0, 0, top!, left!, 0, 0, bottom!, right!], BigInt);
    return this.emit("Pad", [x, this.constant("pads", [8], pads), this.scalar(value)]);
  }

  /**
   * Conv over NCHW `x` with weights [O, kh, kw, I] given as floats; positions outside the image hold
   * `padValue` (0: ONNX's own padding; otherwise an explicit Pad), or are left out when null — the
   * same as 0 for a sum.
   */
  conv(
    x: Placed,
    weights: Float32Array,
    weightShape: readonly number[],
    bias: string | undefined,
    geometry: { kernel: Pair; stride: Pair; dilation: Pair; groups: number; padding: Padding },
    padValue: number | null,
  ): string {
    const { kernel, stride, dilation, groups, padding } = geometry;
    let pads = windowPads(x.shape, kernel, stride, dilation, padding);
    let input = x.onnx;
    if (padValue !== null && padValue !== 0 && pads.some((p) => p > 0)) {
      input = this.pad(input, pads, padValue);
      pads = [0, 0, 0, 0];
    }
    const [o, kh, kw, ci] = weightShape as [number, number, number, number];
    const w = this.constant("weights", [o, ci, kh, kw], oihw(weights, weightShape));
    const inputs = bias === undefined ? [input, w] : [input, w, bias];
    return this.emit("Conv", inputs, {
      kernel_shape: [...kernel],
      strides: [...stride],
      dilations: [...dilation],
      group: groups,
      pads,
    });
  }

  /** A binary op's output transform over integer dots z (SPEC.md C.3 binary outputs). */
  binaryOutput(z: string, out: BinaryOutput, shape: readonly number[]): string {
    if (out.kind === "int32") return z;
    if (out.kind === "float32") {
      const scaled = this.emit("Mul", [z, this.channelwise(this.floats(out.multiplier), shape)]);
      const y = this.emit("Add", [scaled, this.channelwise(this.floats(out.bias), shape)]);
      return out.clamp ? this.emit("Clip", [y, this.scalar(out.clamp[0]), this.scalar(out.clamp[1])]) : y;
    }
    return this.threshold(
      z,
      this.floats(out.thresholds),
      out.flip ? this.floats(out.flip) : undefined,
      shape,
    );
  }

  /**
   * bit = flip[c] ? x ≤ t[c] : x ≥ t[c] as ±1: x ≤ t is −x ≥ −t, so both become s·x ≥ s·t with s = ±1
   * (exact in float32).
   */
  threshold(
    x: string,
    t: Float32Array | undefined,
    flip: Float32Array | undefined,
    shape: readonly number[],
  ) {
    let lhs = x;
    let rhs: string;
    const c = shape[shape.length - 1]!;
    if (flip) {
      const s = Float32Array.from(flip, (f) => (f ? -1 : 1));
      lhs = this.emit("Mul", [x, this.channelwise(s, shape)]);
      rhs = this.channelwise(
        Float32Array.from(t ?? new Float32Array(c), (v, i) => v * s[i]!),
        shape,
      );
    } else rhs = t ? this.channelwise(t, shape) : this.scalar(0);
    const keep = this.emit("GreaterOrEqual", [lhs, rhs]);
    return this.emit("Where", [keep, this.scalar(1), this.scalar(-1)]);
  }

  input(index: number): void {
    const input = this.model.graph.inputs[index]!;
    let x = input.name;
    const n = input.normalization;
    if (n) {
      x = this.emit("Mul", [x, this.scalar(n.scale)]);
      x = this.emit("Add", [x, this.scalar(n.offset)]);
    }
    if (input.shape.length === 3) x = this.emit("Transpose", [x], { perm: NCHW_FROM_NHWC });
    this.place(input.name, x, input.shape);
  }

  /** Translates one node; returns the ONNX name and per-sample shape of its value. */
  node(node: GraphNodeV2): Placed {
    const x = this.get(node.inputs[0]!);
    const shape = this.values.get(node.name)!.shape;
    const out = (onnx: string): Placed => ({ onnx, shape });
    switch (node.op) {
      case "conv2d":
      case "depthwiseConv2d": {
        const t = this.tensor(node.weights);
        const groups = node.op === "conv2d" ? node.groups : x.shape[2]!;
        const bias =
          node.bias === undefined ? undefined : this.constant("bias", [shape[2]!], this.floats(node.bias));
        return out(
          this.conv(x, this.floats(node.weights), t.shape, bias, { ...node, groups }, node.padValue),
        );
      }
      case "bconv2d": {
        const t = this.tensor(node.weights);
        const z = this.conv(
          x,
          this.floats(node.weights),
          t.shape,
          undefined,
          node,
          node.padValue === 1 ? 1 : null,
        );
        return out(this.binaryOutput(z, node.output, shape));
      }
      case "bdense": {
        const w = this.constant("weights", this.tensor(node.weights).shape, this.floats(node.weights));
        const z = this.emit("Gemm", [x.onnx, w], { transB: 1 });
        return out(this.binaryOutput(z, node.output, shape));
      }
      case "dense": {
        const w = this.constant("weights", this.tensor(node.weights).shape, this.floats(node.weights));
        const inputs = [x.onnx, w];
        if (node.bias !== undefined) inputs.push(this.constant("bias", [shape[0]!], this.floats(node.bias)));
        return out(this.emit("Gemm", inputs, { transB: 1 }));
      }
      case "add":
        return out(this.emit("Add", [x.onnx, this.get(node.inputs[1]!).onnx]));
      case "concat":
        return out(
          this.emit(
            "Concat",
            node.inputs.map((i) => this.get(i).onnx),
            { axis: 1 },
          ),
        );
      case "mul":
        return out(this.emit("Mul", [x.onnx, this.channelwise(this.floats(node.scale), shape)]));
      case "batchNorm": {
        const p = (name: string) => this.constant("bn", [shape[shape.length - 1]!], this.floats(name));
        const inputs = [x.onnx, p(node.gamma), p(node.beta), p(node.mean), p(node.variance)];
        return out(this.emit("BatchNormalization", inputs, { epsilon: { float: node.epsilon } }));
      }
      case "relu":
        return out(this.emit("Relu", [x.onnx]));
      case "prelu":
        return out(this.emit("PRelu", [x.onnx, this.channelwise(this.floats(node.alpha), shape)]));
      case "rprelu": {
        const shifted = this.emit("Sub", [x.onnx, this.channelwise(this.floats(node.shiftIn), shape)]);
        const p = this.emit("PRelu", [shifted, this.channelwise(this.floats(node.alpha), shape)]);
        return out(this.emit("Add", [p, this.channelwise(this.floats(node.shiftOut), shape)]));
      }
      case "sign": {
        const t = node.thresholds === undefined ? undefined : this.floats(node.thresholds);
        const flip = node.flip === undefined ? undefined : this.floats(node.flip);
        return out(this.threshold(x.onnx, t, flip, shape));
      }
      case "quantize":
        return out(this.threshold(x.onnx, undefined, undefined, shape));
      case "dequantize":
        return x;
      case "maxPool2d": {
        // A min over the masked channels of bits is −max over their negation (format's reference).
        const flip = node.minMask
          ? this.channelwise(
              Float32Array.from(this.floats(node.minMask), (b) => -b),
              shape,
            )
          : undefined;
        const src = flip ? this.emit("Mul", [x.onnx, flip]) : x.onnx;
        const pads = windowPads(x.shape, node.kernel, node.stride, [1, 1], node.padding);
        const y = this.emit("MaxPool", [src], {
          kernel_shape: [...node.kernel],
          strides: [...node.stride],
          pads,
        });
        return out(flip ? this.emit("Mul", [y, flip]) : y);
      }
      case "avgPool2d": {
        const pads = windowPads(x.shape, node.kernel, node.stride, [1, 1], node.padding);
        // count_include_pad 0: the mean over the positions inside the image, as the reference takes it.
        const attributes = {
          kernel_shape: [...node.kernel],
          strides: [...node.stride],
          pads,
          count_include_pad: 0,
        };
        return out(this.emit("AveragePool", [x.onnx], attributes));
      }
      case "globalAvgPool":
        return out(this.emit("Flatten", [this.emit("GlobalAveragePool", [x.onnx])], { axis: 1 }));
      case "pad": {
        const [top, bottom, left, right] = node.pads;
        const value = node.value ?? (this.values.get(node.inputs[0]!)!.kind === "bits" ? 1 : 0);
        return out(this.pad(x.onnx, [top, left, bottom, right], value));
      }
      case "reshape":
        return out(this.reshape(x, node.shape));
      case "flatten":
        return out(x.shape.length === 1 ? x.onnx : this.flat(x));
      case "softmax":
        return out(this.emit("Softmax", [x.onnx], { axis: -1 }));
      default: {
        const { op, name } = node as { op: string; name: string };
        throw new GraphToOnnxError(
          "UNSUPPORTED_OP",
          `node ${JSON.stringify(name)}: op ${op} has no ONNX translation`,
        );
      }
    }
  }
}

/**
 * The ONNX model (bytes) of `model`'s function in float32: inputs and outputs keep their names, with
 * a symbolic batch first ([N, H, W, C] or [N, F], float32; bits as ±1, int32 as exact floats).
 * Throws GraphToOnnxError UNSUPPORTED_OP naming the first node it cannot translate (argmax, the
 * bit-plane ops), UNSUPPORTED_VALUE for a graph input listed as an output; FormatError for a graph that
 * does not check.
 */
export function graphToOnnx(model: GraphModel, name = model.metadata.name ?? "onebit-graph"): Uint8Array {
  const t = new Translator(model);
  const { graph } = model;
  graph.inputs.forEach((_, i) => {
    t.input(i);
  });
  for (const node of graph.nodes) {
    const v = t.node(node);
    t.place(node.name, v.onnx, v.shape);
  }
  const inputNames = new Set(graph.inputs.map((i) => i.name));
  const outputs = graph.outputs.map((name) => {
    if (inputNames.has(name))
      throw new GraphToOnnxError("UNSUPPORTED_VALUE", `output ${JSON.stringify(name)} is a graph input`);
    const v = t.get(name);
    const back = v.shape.length === 3 && !sameOrder(v.shape);
    const src = back ? t.emit("Transpose", [v.onnx], { perm: NHWC_FROM_NCHW }) : v.onnx;
    const dims = v.shape.length === 3 && !back ? [0, ...v.shape] : undefined;
    if (dims)
      t.emit("Reshape", [src, t.constant("shape", [4], BigInt64Array.from(dims, BigInt))], undefined, name);
    else if (src !== name) t.emit("Identity", [src], undefined, name);
    return { name, shape: ["N", ...v.shape] };
  });
  return encodeModel({
    name,
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: ["N", ...i.shape] })),
    outputs,
    initializers: t.initializers,
    nodes: t.nodes,
  });
}
