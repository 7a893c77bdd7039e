// The importer's intermediate graph: what an LCE .tflite model computes, in onebit's terms, one node per
// operation of the graph-model op list, named as in @onebit/format's SPEC appendix C (version 2 graphs:
// bconv2d, conv2d, depthwiseConv2d, dense, add, mul, batchNorm, relu, prelu, quantize, dequantize,
// maxPool2d, avgPool2d, globalAvgPool, concat, pad, reshape, softmax), so that writing .onebit v2 is a
// 1:1 mapping. Shapes are per image (the TFLite batch dimension of 1 is dropped); images are [H, W, C].
// Binary values follow onebit's convention (+1 ↔ bit 1), not LCE's (−1 ↔ bit 1).

/** dtype of a value flowing between nodes: float32, or ±1 values (packed bits at run time). */
export type ValueType = "float32" | "bits";

export interface ValueInfo {
  readonly name: string;
  readonly type: ValueType;
  readonly shape: readonly number[];
}

export type Padding = "same" | "valid";
export type Pair = readonly [number, number];

/** Fused clamp of a float op's result: none, or [min, max] (relu = [0, ∞)). */
export type Activation = "none" | "relu" | "relu6" | "reluN1To1";

interface NodeBase {
  /** Name of the output value (unique). */
  readonly name: string;
  readonly inputs: readonly string[];
  /** Index of the TFLite operator this node comes from (several nodes may share one). */
  readonly source: number;
}

/** float → ±1: +1 where x ≥ 0 (also −0 and NaN), −1 where x < 0. */
export interface QuantizeNode extends NodeBase {
  readonly op: "quantize";
}

/** ±1 → float ±1.0. */
export interface DequantizeNode extends NodeBase {
  readonly op: "dequantize";
}

/** The float output of a binary convolution: float(clamp(dot)) · multiplier[c] + bias[c]. */
export interface FloatOutput {
  readonly kind: "float32";
  readonly multiplier: Float32Array;
  readonly bias: Float32Array;
  /** Integer clamp of the ±1 dot product before the multiplier (the fused activation). */
  readonly clamp: Pair;
}

/** The bit output of a binary convolution: +1 where dot ≥ thresholds[c], else −1. */
export interface BitsOutput {
  readonly kind: "bits";
  readonly thresholds: Int32Array;
}

export interface Bconv2dNode extends NodeBase {
  readonly op: "bconv2d";
  /** ±1 weights, [O, kh, kw, C / groups] row-major. */
  readonly weights: Int8Array;
  readonly weightsShape: readonly [number, number, number, number];
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly padding: Padding;
  /** What padded positions read with `same`: +1 (LCE pad_values = 1), or 0 (no contribution to the dot). */
  readonly padValue: 1 | 0;
  readonly output: FloatOutput | BitsOutput;
}

export interface Conv2dNode extends NodeBase {
  readonly op: "conv2d";
  /** [O, kh, kw, C] */
  readonly weights: Float32Array;
  readonly weightsShape: readonly [number, number, number, number];
  readonly bias: Float32Array | null;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
}

export interface DepthwiseConv2dNode extends NodeBase {
  readonly op: "depthwiseConv2d";
  /** [kh, kw, C · multiplier]; output channel c·m + j reads input channel c. */
  readonly weights: Float32Array;
  readonly weightsShape: readonly [number, number, number];
  readonly multiplier: number;
  readonly bias: Float32Array | null;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
}

export interface DenseNode extends NodeBase {
  readonly op: "dense";
  /** [out, in] */
  readonly weights: Float32Array;
  readonly weightsShape: readonly [number, number];
  readonly bias: Float32Array | null;
}

/** Two values of one shape added. */
export interface AddNode extends NodeBase {
  readonly op: "add";
}

/** x · scale[c] (per channel, last axis). */
export interface MulNode extends NodeBase {
  readonly op: "mul";
  readonly scale: Float32Array;
}

/** Inference BatchNorm in its folded form: x · scale[c] + offset[c] (product rounded to float32 first, as TFLite's MUL then ADD). */
export interface BatchNormNode extends NodeBase {
  readonly op: "batchNorm";
  readonly scale: Float32Array;
  readonly offset: Float32Array;
}

export interface ReluNode extends NodeBase {
  readonly op: "relu";
  /** Upper clamp (6 for RELU6), or Infinity. Lower clamp is 0 (−1 for reluN1To1 via `min`). */
  readonly min: number;
  readonly max: number;
}

export interface PreluNode extends NodeBase {
  readonly op: "prelu";
  /** Slope for x < 0, per channel. */
  readonly alpha: Float32Array;
}

export interface MaxPool2dNode extends NodeBase {
  /** maxPool2d on float values; on ±1 values (LceBMaxPool2d) the same max (−1 only if all are −1). */
  readonly op: "maxPool2d";
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
}

export interface AvgPool2dNode extends NodeBase {
  /** Mean over the in-bounds pixels of each window. */
  readonly op: "avgPool2d";
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
}

/** Mean over H and W: [H, W, C] → [C]. */
export interface GlobalAvgPoolNode extends NodeBase {
  readonly op: "globalAvgPool";
}

/** Channel concatenation (last axis). */
export interface ConcatNode extends NodeBase {
  readonly op: "concat";
}

/** Zero padding of H and W: [top, bottom, left, right]. */
export interface PadNode extends NodeBase {
  readonly op: "pad";
  readonly pads: readonly [number, number, number, number];
}

export interface ReshapeNode extends NodeBase {
  readonly op: "reshape";
  readonly shape: readonly number[];
}

export interface SoftmaxNode extends NodeBase {
  readonly op: "softmax";
  readonly beta: number;
}

export type GraphNode =
  | QuantizeNode
  | DequantizeNode
  | Bconv2dNode
  | Conv2dNode
  | DepthwiseConv2dNode
  | DenseNode
  | AddNode
  | MulNode
  | BatchNormNode
  | ReluNode
  | PreluNode
  | MaxPool2dNode
  | AvgPool2dNode
  | GlobalAvgPoolNode
  | ConcatNode
  | PadNode
  | ReshapeNode
  | SoftmaxNode;

export type GraphOp = GraphNode["op"];

/** An imported model: its nodes in execution order and every value's type and shape. */
export interface LceGraph {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly string[];
  readonly nodes: readonly GraphNode[];
  readonly values: ReadonlyMap<string, ValueInfo>;
  /** What the import rewrote, in words ("MUL + ADD at 2, 3 → batchNorm"). */
  readonly notes: readonly string[];
}
