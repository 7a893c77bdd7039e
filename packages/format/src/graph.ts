/**
 * The inference graph stored in a .onebit file: the contract between the exporter in `@onebit/nn`
 * (which writes it) and `@onebit/runtime` (which executes it). SPEC.md §5 is the normative text;
 * these types mirror it one to one.
 *
 * Conventions (DESIGN.md):
 * - Shapes never include the batch dimension. Images are `[H, W, C]` (NHWC without N), vectors `[F]`.
 * - Every node consumes the value produced by the node before it: a graph is a chain whose first
 *   node is the single `input` node and whose last node produces the model's output.
 * - A ±1 activation is a bit (+1 → 1, −1 → 0; sign(0) = +1). Values of kind `"bits"` are logical
 *   ±1 tensors; how the runtime packs them in memory is its own business, but weights of dtype
 *   `bit` are packed along their LAST axis (so a conv kernel `[O, kh, kw, C]` packs each pixel's
 *   C channels into consecutive words, matching NHWC activations).
 * - Parameters are not stored in the graph but in named tensors (`TensorRef` = a tensor name in the
 *   file's tensor table); every reference must exist with the dtype and shape given below.
 */

/** The name of a tensor in the model's tensor table. */
export type TensorRef = string;

/** What flows along the graph's edges. */
export type ValueKind =
  /** Real numbers (float32). */
  | "float32"
  /** Raw 8-bit integers 0..255 straight from a `uint8` input, before normalization. */
  | "uint8"
  /** ±1 values, one bit each. */
  | "bits"
  /** One class index (int32) — only `argmax` produces it, and it ends the graph. */
  | "index";

/** The kind and shape of a value between two nodes (see `inferValueInfos`). */
export interface ValueInfo {
  readonly kind: ValueKind;
  /** Without the batch dimension; `[]` for an `index`. */
  readonly shape: readonly number[];
}

/** Affine input normalization x′ = x·scale + offset (float32 arithmetic), e.g. bytes → [−1, 1]. */
export interface Normalization {
  readonly scale: number;
  readonly offset: number;
}

/** Convolution/pooling window padding (TensorFlow semantics, SPEC.md §5.3). */
export type Padding = "same" | "valid";

/** `[height, width]`. */
export type Pair = readonly [number, number];

/**
 * The model's input. Rank 1 (`[F]`) or rank 3 (`[H, W, C]`).
 *
 * - `dtype: "float32"`: the node outputs `float32` values x′ = x·scale + offset.
 * - `dtype: "uint8"`: the node outputs `uint8` values (the raw bytes). A float layer (or `flatten`
 *   feeding one) reads them as x′ = x·scale + offset; a bit-plane layer reads the raw integers and
 *   the exporter has folded the normalization into that layer's thresholds or scale/bias
 *   (w·x′ = scale·(w·x) + offset·Σw, Σw being an integer per output channel).
 *
 * Missing `normalization` means scale 1, offset 0.
 */
export interface InputNode {
  readonly op: "input";
  readonly name: string;
  readonly dtype: "float32" | "uint8";
  readonly shape: readonly number[];
  readonly normalization?: Normalization;
}

/**
 * Per-output-channel comparison producing bits — BatchNorm followed by sign, folded
 * (see `foldBatchNormToThresholds`). For pre-activation z of channel c:
 * bit = flip[c] = 0 ? (z ≥ thresholds[c]) : (z ≤ thresholds[c]).
 * A channel with a constant output (γ = 0) is encoded as a comparison that always or never holds.
 */
export interface BitsOutput {
  readonly kind: "bits";
  /** `int32 [O]` for binary and bit-plane layers (z is the exact integer dot); `float32 [O]` for float layers (no NaN, ±∞ allowed). */
  readonly thresholds: TensorRef;
  /** `uint8 [O]` of 0/1; absent = all 0 (every channel compares with ≥). */
  readonly flip?: TensorRef;
}

/** Float output y[c] = z·scale[c] + bias[c] (float32 [O] each, finite) — logits of a last binary layer. */
export interface ScaleBiasOutput {
  readonly kind: "scaleBias";
  readonly scale: TensorRef;
  readonly bias: TensorRef;
}

/** Float output y = z (a float layer's own optional bias already added). */
export interface FloatOutput {
  readonly kind: "float32";
}

/** Outputs allowed on float layers. */
export type FloatLayerOutput = FloatOutput | BitsOutput;
/** Outputs allowed on binary and bit-plane layers (their z is an integer dot). */
export type IntegerLayerOutput = BitsOutput | ScaleBiasOutput;
export type LayerOutput = FloatLayerOutput | IntegerLayerOutput;

/**
 * Fully connected layer with float weights: z[o] = Σₖ W[o][k]·x[k] + bias[o].
 * Input: `float32 [K]`, `uint8 [K]` (read as x′ = x·scale + offset) or `bits [K]` (read as ±1).
 * Weights `float32 [O, K]`, optional bias `float32 [O]`.
 */
export interface DenseFloatNode {
  readonly op: "denseFloat";
  readonly name: string;
  readonly weights: TensorRef;
  readonly bias?: TensorRef;
  readonly output: FloatLayerOutput;
}

/**
 * 2-D convolution with float weights over an NHWC image (cross-correlation, as in every framework):
 * z[y][x][o] = Σ_{i,j,c} W[o][i][j][c]·in[y·sh + i − padTop][x·sw + j − padLeft][c] + bias[o].
 * Input: `float32 [H, W, C]` or `uint8 [H, W, C]` (read as x′). Padded positions hold `padValue`
 * (a normalized value x′; default 0). Weights `float32 [O, kh, kw, C]`, optional bias `float32 [O]`.
 */
export interface Conv2dFloatNode {
  readonly op: "conv2dFloat";
  readonly name: string;
  readonly weights: TensorRef;
  readonly bias?: TensorRef;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
  readonly padValue?: number;
  readonly output: FloatLayerOutput;
}

/**
 * Exact first layer for 8-bit inputs: z[o] = Σₖ x[k]·w[o][k] with raw bytes x ∈ 0..255 and w ∈ ±1,
 * an integer in [−255·K, 255·K] (computed over bit planes with AND/popcount).
 * Input `uint8 [K]`; weights `bit [O, K]`.
 */
export interface DenseBitPlaneNode {
  readonly op: "denseBitPlane";
  readonly name: string;
  readonly weights: TensorRef;
  readonly output: IntegerLayerOutput;
}

/**
 * Exact 8-bit-input convolution (see `DenseBitPlaneNode`). Input `uint8 [H, W, C]`; weights
 * `bit [O, kh, kw, C]`. Padded positions hold the raw byte `padValue` (integer 0..255, default 0):
 * an exporter whose model pads normalized inputs with 0 needs (0 − offset)/scale to be such a byte.
 */
export interface Conv2dBitPlaneNode {
  readonly op: "conv2dBitPlane";
  readonly name: string;
  readonly weights: TensorRef;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
  readonly padValue?: number;
  readonly output: IntegerLayerOutput;
}

/**
 * Binary fully connected layer: z[o] = Σₖ x[k]·w[o][k] = K − 2·popcount(x ⊕ w[o]), x, w ∈ ±1.
 * Input `bits [K]`; weights `bit [O, K]`.
 */
export interface BinaryDenseNode {
  readonly op: "binaryDense";
  readonly name: string;
  readonly weights: TensorRef;
  readonly output: IntegerLayerOutput;
}

/**
 * Binary convolution: the conv formula of `Conv2dFloatNode` over ±1 values, z an integer in
 * [−kh·kw·C, kh·kw·C]. `'same'` pads with +1 bits ("one-padding", DESIGN.md), so every window has
 * kh·kw·C terms. Input `bits [H, W, C]`; weights `bit [O, kh, kw, C]`.
 */
export interface BinaryConv2dNode {
  readonly op: "binaryConv2d";
  readonly name: string;
  readonly weights: TensorRef;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
  readonly output: IntegerLayerOutput;
}

/**
 * Max pooling over an `[H, W, C]` image; padded positions are left out of the window.
 * On `float32`: max. On `bits`: OR (the max of ±1 values) — except channels whose bit is set in
 * `minMask` (`bit [C]`), which use AND (the min). The exporter sets it for a pool placed before
 * a BatchNorm with γ < 0: sign is then decreasing, so max before it becomes min after it.
 */
export interface MaxPool2dNode {
  readonly op: "maxPool2d";
  readonly name: string;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
  readonly minMask?: TensorRef;
}

/** Row-major (NHWC) flattening of any value to rank 1; the kind is unchanged. */
export interface FlattenNode {
  readonly op: "flatten";
  readonly name: string;
}

/** Softmax over a `float32 [N]` vector (probabilities, same shape). */
export interface SoftmaxNode {
  readonly op: "softmax";
  readonly name: string;
}

/** Index of the largest element of a `float32 [N]` vector (the lowest index on ties); ends the graph. */
export interface ArgmaxNode {
  readonly op: "argmax";
  readonly name: string;
}

export type GraphNode =
  | InputNode
  | DenseFloatNode
  | Conv2dFloatNode
  | DenseBitPlaneNode
  | Conv2dBitPlaneNode
  | BinaryDenseNode
  | BinaryConv2dNode
  | MaxPool2dNode
  | FlattenNode
  | SoftmaxNode
  | ArgmaxNode;

export type OpName = GraphNode["op"];

/** Every op name, in SPEC.md order. */
export const OP_NAMES: readonly OpName[] = [
  "input",
  "denseFloat",
  "conv2dFloat",
  "denseBitPlane",
  "conv2dBitPlane",
  "binaryDense",
  "binaryConv2d",
  "maxPool2d",
  "flatten",
  "softmax",
  "argmax",
];

/** A chain of nodes: `nodes[0]` is the `input` node, each later node consumes its predecessor's value. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
}

/** Where the model came from; every field optional (hand-built models have none). */
export interface Provenance {
  readonly dataset?: string;
  /** Test accuracy in [0, 1] measured on `dataset` at export. */
  readonly accuracy?: number;
  readonly epochs?: number;
  readonly seed?: number;
  /** The `@onebit/nn` version (or other tool) that trained and exported the model. */
  readonly libraryVersion?: string;
  /** ISO 8601 date-time of export, e.g. `2026-11-26T02:40:00Z`. */
  readonly date?: string;
}

/**
 * Descriptive metadata. The input's shape, dtype and normalization live in the graph's `input`
 * node (one place, so they cannot disagree); `labels`, when present, name the classes of the
 * output vector (its length must match).
 */
export interface ModelMetadata {
  readonly name: string;
  readonly description?: string;
  readonly labels?: readonly string[];
  readonly provenance?: Provenance;
  /** Free-form extra fields (JSON scalars). */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}
