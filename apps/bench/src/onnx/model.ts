import { ProtoWriter } from "./proto-writer.js";

/**
 * Builds ONNX ModelProto bytes in code (field numbers from onnx/onnx.proto), so the benchmark needs no
 * model files and no Python: a float32 graph (MatMul, Gemm, Conv, …) with float32 initializers, and
 * int64 ones where an operator takes a shape or pads as an input.
 */

/** TensorProto.DataType.FLOAT and INT64 (shapes and pads as operands: Reshape, Pad). */
const FLOAT = 1;
const INT64 = 7;
/** AttributeProto.AttributeType */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** A dimension: a fixed size or a symbolic name (e.g. "batch"). */
export type Dim = number | string;

export interface ValueInfo {
  readonly name: string;
  readonly shape: readonly Dim[];
}

export interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

export type AttributeValue = number | readonly number[] | { readonly float: number };

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: readonly Initializer[];
  readonly nodes: readonly NodeSpec[];
}

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

function tensorProto(t: Initializer): ProtoWriter {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) {
    throw new RangeError(
      `initializer ${t.name}: dims ${t.dims.join("×")} need ${count} values, got ${t.data.length}`,
    );
  }
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  const int64 = t.data instanceof BigInt64Array;
  w.int(2, int64 ? INT64 : FLOAT);
  w.string(8, t.name);
  // raw_data is little-endian; copy so a view into a larger buffer is not written whole.
  const raw = new Uint8Array(t.data.byteLength);
  if (int64) new BigInt64Array(raw.buffer).set(t.data);
  else new Float32Array(raw.buffer).set(t.data);
  return w.bytes(9, raw);
}

function valueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function attribute(name: string, value: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === "number") return w.int(3, value).int(20, ATTR_INT);
  if ("float" in value) return w.float(2, value.float).int(20, ATTR_FLOAT);
  for (const v of value as readonly number[]) w.int(8, v);
  return w.int(20, ATTR_INTS);
}

function node(n: NodeSpec, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, `${n.op.toLowerCase()}_${index}`);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attribute(k, v));
  return w;
}

export function encodeModel(graph: GraphSpec): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((n, i) => {
    g.message(1, node(n, i));
  });
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensorProto(t));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  const opset = new ProtoWriter().string(1, "").int(2, ONNX_OPSET);
  return new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, "onebit-bench")
    .message(7, g)
    .message(8, opset)
    .finish();
}

/** Y[M×N] = A[M×K] · B[K×N] with B a constant; M is symbolic so one session serves every batch size. */
export function matmulModel(k: number, n: number, b: Float32Array): Uint8Array {
  return encodeModel({
    name: `matmul_${k}x${n}`,
    inputs: [{ name: "A", shape: ["M", k] }],
    outputs: [{ name: "Y", shape: ["M", n] }],
    initializers: [{ name: "B", dims: [k, n], data: b }],
    nodes: [{ op: "MatMul", inputs: ["A", "B"], outputs: ["Y"] }],
  });
}

export interface DenseLayer {
  /** in×out, row-major (y = x·W + b). */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** An MLP of Gemm(+bias) layers with ReLU between them (BatchNorm already folded into W and b). */
export function mlpModel(layers: readonly DenseLayer[]): Uint8Array {
  const nodes: NodeSpec[] = [];
  const initializers: Initializer[] = [];
  let current = "x";
  layers.forEach((l, i) => {
    initializers.push({ name: `w${i}`, dims: [l.inFeatures, l.outFeatures], data: l.weights });
    initializers.push({ name: `b${i}`, dims: [l.outFeatures], data: l.bias });
    const last = i === layers.length - 1;
    const pre = last ? "logits" : `z${i}`;
    nodes.push({ op: "Gemm", inputs: [current, `w${i}`, `b${i}`], outputs: [pre] });
    if (!last) {
      nodes.push({ op: "Relu", inputs: [pre], outputs: [`h${i}`] });
      current = `h${i}`;
    }
  });
  return encodeModel({
    name: "mlp",
    inputs: [{ name: "x", shape: ["batch", layers[0]!.inFeatures] }],
    outputs: [{ name: "logits", shape: ["batch", layers[layers.length - 1]!.outFeatures] }],
    initializers,
    nodes,
  });
}

/**
 * One 3×3 'same' convolution (NCHW, as ONNX defines it): X[N×C×H×W] → Y[N×F×H×W], weights F×C×3×3,
 * zero padding 1. The float32 peer of a binary conv layer.
 */
export function conv3x3Model(
  channels: number,
  filters: number,
  size: number,
  weights: Float32Array,
): Uint8Array {
  return encodeModel({
    name: `conv_${filters}c3_${size}`,
    inputs: [{ name: "X", shape: ["N", channels, size, size] }],
    outputs: [{ name: "Y", shape: ["N", filters, size, size] }],
    initializers: [{ name: "W", dims: [filters, channels, 3, 3], data: weights }],
    nodes: [
      {
        op: "Conv",
        inputs: ["X", "W"],
        outputs: ["Y"],
        attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] },
      },
    ],
  });
}
