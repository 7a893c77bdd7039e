import { BitopsError } from "../errors.js";

/**
 * Plain-number descriptors for the pointer kernels. A runtime builds one per layer at plan time
 * (they are structured-cloneable, so they can be posted to workers once) and then calls
 * `kernels.gemmRows(args, rowStart, rowEnd)` per batch with no allocation. Every pointer is a byte
 * offset into the kernels' `WebAssembly.Memory`, 16-byte aligned; strides are in bytes.
 */

/** How a GEMM writes its outputs. */
export type OutputMode = "dot" | "threshold" | "scaleBias";

export interface GemmArgs {
  /** Output form: Int32 dots, packed threshold bits, or Float32 dot·scale + bias. */
  mode: OutputMode;
  /** A row 0. Binary GEMM: row m at `a + m·aStride` holds `kWords` words. Bit-plane GEMM: row m holds 8 planes of `kWords` words each (plane n at `a + m·aStride + n·kWords·4`). */
  a: number;
  /** Bytes between A rows (≥ kWords·4, or 8·kWords·4 for bit planes; multiple of 16). */
  aStride: number;
  /** Prepacked weights (`PackedWeights.data` copied into the memory). */
  w: number;
  /** N outputs. */
  n: number;
  /** K: ±1 terms per dot (dot = K − 2·popcount); ignored by the bit-plane kernel, which is exact. */
  k: number;
  /** 32-bit words per row of K (`PackedWeights.wordsPerRow`: a multiple of 4). The bit-plane GEMM also takes any even count, with weight panels of kWords/2 64-bit words (prepacked panels cut short: the words past K are zero). */
  kWords: number;
  /** Output row 0: Int32 (dot) or Float32 (scaleBias) at `out + m·outStride + 4·n`; threshold bit n of row m in word `n >> 5` of the row, which the kernel zeroes first (the whole outStride). */
  out: number;
  /** Bytes between output rows (≥ 4·N for dot/scaleBias, ≥ 4·ceil(N/32) for threshold). */
  outStride: number;
  /** threshold mode: N Int32 thresholds; scaleBias mode: N Float32 scales; else 0. */
  p0: number;
  /** threshold mode: N Uint8 flips (0: dot ≥ τ, 1: dot ≤ τ); scaleBias mode: N Float32 biases; else 0. */
  p1: number;
}

/** A binary convolution over packed NHWC images: an im2col into scratch rows followed by a GEMM. */
export interface ConvArgs {
  /** Packed NHWC input (batch of images, pixel (b, y, x) at `input + ((b·height + y)·width + x)·wordsPerPixel·4`). */
  input: number;
  height: number;
  width: number;
  /** ceil(inChannels / 32). */
  wordsPerPixel: number;
  /** Valid bits of a pixel's last word (one-padding writes these as 1); as uint32 or int32 (the same 32 bits). */
  lastWordMask: number;
  kernelH: number;
  kernelW: number;
  stride: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  /** The GEMM over output pixels: `a` is the im2col scratch, `aStride = kWords·4`, `out`/`outStride` the NHWC output (row = output pixel). */
  gemm: GemmArgs;
  /** Rows the scratch at `gemm.a` holds (≥ 1): the im2col is done in chunks of this many pixels. */
  scratchRows: number;
}

/**
 * A first-layer convolution over 8-bit NHWC images (the exact bit-plane form): an 8-bit im2col into
 * bit-plane scratch rows (see `im2colPlanesRows`), then the bit-plane GEMM, chunk by chunk.
 */
export interface PlaneConvArgs {
  /** 8-bit NHWC input: byte (b, y, x, c) at `input + ((b·height + y)·width + x)·channels + c` (any alignment). */
  input: number;
  height: number;
  width: number;
  channels: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  /** The byte a padded tap reads (0..255). */
  padValue: number;
  /** The bit-plane GEMM over output pixels: `a` is the scratch (8 planes of `kWords` words per row, `aStride` ≥ 32·kWords, kWords·32 ≥ K = kernelH·kernelW·channels), `out`/`outStride` the NHWC output. */
  gemm: GemmArgs;
  /** Rows the scratch at `gemm.a` holds (≥ 1). */
  scratchRows: number;
}

/** Binary max-pool (OR of bits) over packed NHWC images; padded positions are ignored (−1). */
export interface PoolArgs {
  input: number;
  height: number;
  width: number;
  wordsPerPixel: number;
  poolH: number;
  poolW: number;
  stride: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  /** Output pixel r (of batch·outH·outW) at `out + r·wordsPerPixel·4`. */
  out: number;
}

/** Packing float32 activations by sign into kernel rows (v < 0 → 0, otherwise 1; −0 and NaN give 1). */
export interface PackArgs {
  /** Float32 row 0; row r at `src + r·srcStride`. */
  src: number;
  srcStride: number;
  /** Values per row (K). */
  cols: number;
  /** Packed row 0; row r at `out + r·outStride`, zero-filled past K up to outStride. */
  out: number;
  /** Bytes between packed rows (≥ 4·ceil(K/32); 4·kernelRowWords(K) for GEMM inputs). */
  outStride: number;
}

export const OUTPUT_MODE_CODES: Record<OutputMode, number> = { dot: 0, threshold: 1, scaleBias: 2 };

/** Which implementation runs the kernels ("native": the @onebit/native addon, Node.js only). */
export type KernelBackend = "wasm-i64" | "wasm-simd" | "typescript" | "native";

/**
 * The pointer kernels of one backend over one memory. Row ranges let a runtime split a batch's
 * output rows (GEMM rows, or output pixels for conv/pool) across workers sharing the memory; each
 * call only writes its own rows.
 */
export interface BitopsKernels {
  readonly backend: KernelBackend;
  readonly memory: WebAssembly.Memory;
  /**
   * GEMM output rows [rowStart, rowEnd) (A rows are packed ±1 activations), columns
   * [colStart, colEnd) (default all). Column bounds are multiples of 4 (of 32 in threshold mode) or
   * N, so that batch-1 layers can be split across workers by output columns too.
   */
  gemmRows(args: GemmArgs, rowStart: number, rowEnd: number, colStart?: number, colEnd?: number): void;
  /** Bit-plane GEMM output rows [rowStart, rowEnd) (A rows are 8 bit planes of 8-bit inputs), columns as gemmRows. */
  bitPlaneGemmRows(
    args: GemmArgs,
    rowStart: number,
    rowEnd: number,
    colStart?: number,
    colEnd?: number,
  ): void;
  /** Convolution output pixels [rowStart, rowEnd) of batch·outH·outW. */
  conv2dRows(args: ConvArgs, rowStart: number, rowEnd: number): void;
  /** Bit-plane (8-bit input) convolution output pixels [rowStart, rowEnd) of batch·outH·outW. */
  bitPlaneConv2dRows(args: PlaneConvArgs, rowStart: number, rowEnd: number): void;
  /** Packs float32 rows [rowStart, rowEnd) by sign (the float → binary boundary of a model). */
  packSignsRows(args: PackArgs, rowStart: number, rowEnd: number): void;
  /** Max-pool output pixels [rowStart, rowEnd) of batch·outH·outW. */
  maxPool2dRows(args: PoolArgs, rowStart: number, rowEnd: number): void;
}

/** Throws unless [colStart, colEnd) is a column range the kernels can compute on their own. */
export function checkColumns(g: GemmArgs, colStart: number, colEnd: number): void {
  const unit = g.mode === "threshold" ? 32 : 4;
  if (
    !(colStart >= 0 && colStart <= colEnd && colEnd <= g.n) ||
    colStart % unit !== 0 ||
    (colEnd !== g.n && colEnd % unit !== 0)
  ) {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      `columns [${colStart}, ${colEnd}) of ${g.n}: bounds must be multiples of ${unit} (or N) in ${g.mode} mode`,
    );
  }
}
