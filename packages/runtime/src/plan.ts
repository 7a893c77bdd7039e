import type { ConvArgs, GemmArgs, GemmTile, KernelBackend, PoolArgs } from "@onebit/bitops";
import type { FusedElementwiseStep } from "./fused-steps.js";

/**
 * An execution plan: plain numbers and strings only (structured-cloneable), so it can be posted to
 * workers once, which then run their share of every step over the same shared memory. Every
 * pointer is a byte offset into the plan's `WebAssembly.Memory`; every step writes output rows
 * `[rowStart, rowEnd)` of `batch · rowsPerSample` rows and reads only the previous steps' values.
 */
export interface PlanData {
  /** Bytes the memory must hold (weights, activations for `capacity` samples, scratch, control). */
  readonly memoryBytes: number;
  /** Most samples one pass runs; larger batches run in passes of this size. */
  readonly capacity: number;
  /** Per-thread scratch slots prepared (a step's `slots[t]` is thread t's). */
  readonly threadSlots: number;
  /** Byte offset of the 16-byte control block (thread barrier). */
  readonly control: number;
  readonly input: InputBinding;
  readonly steps: readonly Step[];
  readonly output: OutputBinding;
  /** Estimated nanoseconds per sample on one thread (used to decide when threads pay off). */
  readonly costPerSample: number;
}

/** Where a run writes the (normalized) input of each sample. */
export interface InputBinding {
  readonly dtype: "float32" | "uint8";
  /** Elements per sample. */
  readonly elements: number;
  readonly ptr: number;
  /** x′ = x·scale + offset, written for float32 inputs (uint8 inputs are copied raw). */
  readonly scale: number;
  readonly offset: number;
}

/** Where the final value of the plan lies after a run. */
export type OutputBinding =
  | { readonly kind: "float32"; readonly ptr: number; readonly elements: number }
  | { readonly kind: "int32"; readonly ptr: number; readonly elements: number }
  | {
      readonly kind: "bits";
      readonly ptr: number;
      readonly elements: number;
      readonly layout: BitsLayout;
    };

/**
 * Packed ±1 values of one sample: `pixels` groups of `channels` bits, each group in `wpp` words
 * (element (p, c) is bit c % 32 of word p·wpp + c/32), samples `sampleWords` words apart. A vector is
 * one group; an NHWC image (or its flattening) has one group per pixel. Padding bits are zero.
 */
export interface BitsLayout {
  readonly pixels: number;
  readonly channels: number;
  readonly wpp: number;
  readonly sampleWords: number;
}

/** Comparison to packed bits on a float layer: bit = flip ? z ≤ τ : z ≥ τ (τ float32, may be ±∞). */
export interface FloatBitsEpilogue {
  readonly kind: "bits";
  readonly thresholds: number;
  readonly flip: number;
  /** Words per output row (pixel or sample) the bits go into (zeroed first). */
  readonly rowWords: number;
}
export type FloatEpilogue = { readonly kind: "float32" } | FloatBitsEpilogue;

interface StepBase {
  /** Graph node this step belongs to (for errors and profiling). */
  readonly node: string;
  readonly rowsPerSample: number;
  /** Estimated nanoseconds per row on one thread. */
  readonly costPerRow: number;
}

/** Binary (XNOR-popcount) or bit-plane GEMM through `@onebit/bitops`' pointer kernels. */
export interface GemmStep extends StepBase {
  readonly op: "gemm";
  readonly bitPlane: boolean;
  readonly args: GemmArgs;
  /**
   * The same GEMM split by output columns, one slice per thread (present when the plan was made for
   * `threadSlots` > 1 threads and N is wide enough): thread t runs every row of slice t, so each
   * thread streams only its share of the weights — and a single row (batch 1) still splits.
   */
  readonly columns?: readonly GemmColumnSlice[];
}

/** One thread's output columns of a GEMM: its weight panels, thresholds/scales, output words. */
export interface GemmColumnSlice {
  /** Args over the slice (`n` may be 0: nothing to do). */
  readonly args: GemmArgs;
  /**
   * Threshold output only: the kernel clears whole output rows, so the slice writes its bits to a
   * private buffer (`args.out`, `srcStride` words per row) and copies them into word `dst` onward
   * of each shared output row (`dstStride` words apart), then zeroes the `zero` words after them
   * (the row's padding, set by the last slice).
   */
  readonly copy?: {
    readonly dst: number;
    readonly dstStride: number;
    readonly srcStride: number;
    readonly words: number;
    readonly zero: number;
  };
}

/** Binary convolution with a square stride through `conv2dRows` (im2col chunks in each slot's scratch). */
export interface ConvStep extends StepBase {
  readonly op: "conv";
  readonly slots: readonly ConvArgs[];
}

/**
 * Convolution that this runtime lays out itself: an im2col (bits with one-padding and any stride, or
 * 8-bit values with a pad byte as bit planes) into each slot's scratch, then a GEMM per chunk.
 */
export interface Im2colConvStep extends StepBase {
  readonly op: "im2colConv";
  readonly source: "bits" | "uint8";
  readonly input: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Bits: words per input pixel; uint8: unused (1). */
  readonly wpp: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
  /** uint8: the raw byte at padded positions. */
  readonly padValue: number;
  /** Bits: words per tap in a scratch row (the weights' per-tap word count). uint8 taps pack densely. */
  readonly tapWords: number;
  readonly scratchRows: number;
  /** GEMM over a chunk: `a` is the slot's scratch; `out` is the output of row 0 of the whole batch. */
  readonly slots: readonly GemmArgs[];
}

/** Binary max-pool (OR) with a square stride through `maxPool2dRows`. */
export interface PoolStep extends StepBase {
  readonly op: "pool";
  readonly args: PoolArgs;
}

/** Input image, window, strides, padding and output size of a pool over NHWC images (see pool-window.ts). */
export interface PoolGeometry {
  readonly height: number;
  readonly width: number;
  readonly poolH: number;
  readonly poolW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
}

/** Max-pool of bits (OR) or float32 (max) with any stride, in TypeScript. */
export interface GenericPoolStep extends StepBase, PoolGeometry {
  readonly op: "genericPool";
  readonly kind: "bits" | "float32";
  readonly input: number;
  /** Channels (float32) or words per pixel (bits). */
  readonly depth: number;
  readonly out: number;
}

/** XOR of every pixel's words with a mask (`minMask` pools: AND = NOT OR NOT). Rows are pixels. */
export interface XorMaskStep extends StepBase {
  readonly op: "xorMask";
  readonly ptr: number;
  readonly wpp: number;
  readonly mask: number;
}

/** Copies each sample's words into rows of a wider stride, zero-filling the rest (GEMM row alignment). */
export interface CopyWordsStep extends StepBase {
  readonly op: "copyWords";
  readonly src: number;
  readonly srcStride: number;
  readonly dst: number;
  readonly dstStride: number;
  readonly words: number;
}

/** Encodes each sample's bytes into 8 bit planes of `kWords` words (bit-plane GEMM rows). */
export interface EncodePlanesStep extends StepBase {
  readonly op: "encodePlanes";
  readonly src: number;
  readonly elements: number;
  readonly dst: number;
  readonly kWords: number;
}

/** uint8 → float32 (x′ = x·scale + offset) or bits → ±1 float32, per sample. */
export interface ToFloatStep extends StepBase {
  readonly op: "toFloat";
  readonly source: "uint8" | "bits";
  readonly src: number;
  readonly dst: number;
  readonly elements: number;
  readonly scale: number;
  readonly offset: number;
  /** bits only. */
  readonly layout?: BitsLayout;
}

/** Float32 fully connected layer: z = Σ W·x (float64 sum, k ascending) + bias, rounded to float32. */
export interface DenseFloatStep extends StepBase {
  readonly op: "denseFloat";
  /** Output column bounds per thread (`threadSlots` + 1 multiples of 32, last = n) for column-split threads. */
  readonly columns?: readonly number[];
  readonly x: number;
  readonly k: number;
  readonly n: number;
  readonly w: number;
  /** 0 = no bias. */
  readonly bias: number;
  readonly out: number;
  readonly epilogue: FloatEpilogue;
}

/** Float32 convolution (cross-correlation over NHWC), padded positions hold `padValue`. Rows are output pixels. */
export interface Conv2dFloatStep extends StepBase {
  readonly op: "conv2dFloat";
  readonly x: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly n: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
  readonly padValue: number;
  readonly w: number;
  readonly bias: number;
  readonly out: number;
  readonly epilogue: FloatEpilogue;
}

/** Softmax of each sample's float32 vector, in place is not allowed: src → dst. */
export interface SoftmaxStep extends StepBase {
  readonly op: "softmax";
  readonly src: number;
  readonly dst: number;
  readonly n: number;
}

/** Elementwise float op with per-channel parameters (`p` pointers to float32 [channels]); rows are samples. */
export interface ChannelwiseStep extends StepBase {
  readonly op: "channelwise";
  readonly fn: "mul" | "batchNorm" | "relu" | "prelu" | "rprelu" | "clamp";
  readonly src: number;
  readonly dst: number;
  readonly elements: number;
  readonly channels: number;
  readonly p: readonly number[];
  /** batchNorm: ε; clamp: [lo, hi]. */
  readonly epsilon: number;
  readonly lo: number;
  readonly hi: number;
}

/** dst = a + b over float32 samples of `elements`; rows are samples. */
export interface AddStep extends StepBase {
  readonly op: "add";
  readonly a: number;
  readonly b: number;
  readonly dst: number;
  readonly elements: number;
}

/** One input of a concat: float32 (`channels` per position) or packed bits (`layout`). */
export interface ConcatSource {
  readonly ptr: number;
  readonly channels: number;
  readonly layout?: BitsLayout;
}

/** Concatenation along channels of float32 or packed bits values; rows are samples. */
export interface ConcatStep extends StepBase {
  readonly op: "concat";
  readonly kind: "float32" | "bits";
  readonly sources: readonly ConcatSource[];
  readonly positions: number;
  readonly dst: number;
  readonly channels: number;
  /** bits only: the output's layout. */
  readonly layout?: BitsLayout;
}

/** Float32 → packed bits: bit = flip ? x ≤ t : x ≥ t per channel (t = 0 without thresholds); rows are samples. */
export interface SignStep extends StepBase {
  readonly op: "sign";
  readonly src: number;
  readonly dst: number;
  readonly channels: number;
  /** 0: thresholds 0 / no flips. */
  readonly thresholds: number;
  readonly flip: number;
  readonly layout: BitsLayout;
}

/** Float32 average pooling over the window's positions inside the image; rows are output pixels. */
export interface AvgPoolStep extends StepBase, PoolGeometry {
  readonly op: "avgPool";
  readonly input: number;
  readonly channels: number;
  readonly out: number;
}

/** Explicit spatial padding of float32 or packed-bits images; rows are samples. */
export interface PadStep extends StepBase {
  readonly op: "pad";
  readonly kind: "float32" | "bits";
  readonly src: number;
  readonly dst: number;
  readonly height: number;
  readonly width: number;
  /** Float channels, or words per pixel for bits. */
  readonly depth: number;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  /** Float value, or for bits the fill word of one pixel's words (per word). */
  readonly value: number;
  /** bits: the fill of each of a pixel's `depth` words (padding bits stay 0). */
  readonly fillWords?: readonly number[];
}

/** Input, window and output geometry of a convolution with any stride, dilation and groups (NHWC). */
export interface ConvGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Output channels. */
  readonly n: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly groups: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
}

/**
 * Binary convolution with dilation, groups or zero padding (what the bitops kernels do not take):
 * a per-bit loop over packed input and weight rows, then the binary output. Rows are output pixels.
 */
export interface BconvGenericStep extends StepBase, ConvGeometry {
  readonly op: "bconvGeneric";
  readonly input: number;
  readonly inWpp: number;
  /** 1: padded positions are +1 bits; 0: left out of the dot. */
  readonly padOne: number;
  /** Weight rows (o·kh + i)·kw + j of `wWords` words holding C/groups bits. */
  readonly w: number;
  readonly wWords: number;
  readonly mode: "dot" | "threshold" | "scaleBias";
  readonly out: number;
  /** threshold: words per output pixel; dot/scaleBias: n. */
  readonly outRowWords: number;
  readonly p0: number;
  readonly p1: number;
}

/** Float32 convolution with dilation and groups (incl. depthwise); rows are output pixels. */
export interface Conv2dGenericStep extends StepBase, ConvGeometry {
  readonly op: "conv2dGeneric";
  readonly x: number;
  readonly padValue: number;
  readonly w: number;
  /** 0 = no bias. */
  readonly bias: number;
  readonly out: number;
}

export type Step =
  | ChannelwiseStep
  | AddStep
  | ConcatStep
  | SignStep
  | AvgPoolStep
  | PadStep
  | BconvGenericStep
  | Conv2dGenericStep
  | GemmStep
  | ConvStep
  | Im2colConvStep
  | PoolStep
  | GenericPoolStep
  | XorMaskStep
  | CopyWordsStep
  | EncodePlanesStep
  | ToFloatStep
  | DenseFloatStep
  | Conv2dFloatStep
  | SoftmaxStep
  | FusedElementwiseStep;

/**
 * The step kinds only graph code makes (graph-planning.ts) and runs (graph-support.ts): a version 1
 * chain's plan has none, so browser builds load that code for version 2 models only.
 */
export const GRAPH_STEP_OPS = [
  "channelwise",
  "add",
  "concat",
  "sign",
  "avgPool",
  "pad",
  "bconvGeneric",
  "conv2dGeneric",
  "fusedElementwise",
] as const satisfies readonly Step["op"][];

/** What a worker needs to run its share of a plan. */
export interface WorkerInit {
  /** The engine's memory (shared). */
  readonly memory: WebAssembly.Memory;
  readonly backend: KernelBackend;
  /** The WebAssembly GEMM tile the main thread tuned (workers then skip bitops' tuning). */
  readonly tile?: GemmTile;
  readonly plan: PlanData;
  readonly threadIndex: number;
  readonly threadCount: number;
}
