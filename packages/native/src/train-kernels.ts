import { loadNativeAddon } from "./load.js";

/**
 * The float kernels of the training passes around the GEMMs and of Adam (csrc/train.c), in place on typed
 * arrays, each bit-identical to its TypeScript/WebAssembly reference in @onebit/tensor or
 * @onebit/nn. A window `geometry` is an Int32Array of batch, inH, inW, channels, kernelH, kernelW,
 * strideH, strideW, padTop, padLeft, outH, outW. A short array or a malformed geometry throws a
 * RangeError before anything is written.
 */
export interface NativeTrainKernels {
  /**
   * Output pixels [r0, r1) as im2col rows (kernelH·kernelW·channels, HWC order) into `cols`; large
   * ranges split among up to `threads` threads (same bytes on any count).
   */
  im2colF32(
    input: Float32Array,
    cols: Float32Array,
    geometry: Int32Array,
    padValue: number,
    r0: number,
    r1: number,
    threads?: number,
  ): void;
  /**
   * Scatter-adds im2col rows [r0, r1) of `gradCols` onto `gradInput`; large ranges split by whole
   * images among up to `threads` threads (each position's sum keeps its order: same bytes).
   */
  col2imAddF32(
    gradCols: Float32Array,
    gradInput: Float32Array,
    geometry: Int32Array,
    r0: number,
    r1: number,
    threads?: number,
  ): void;
  /** 'valid' max-pool (kernel = window, no padding): maxima and their flat input indices. */
  maxPoolF32(
    input: Float32Array,
    output: Float32Array,
    argmax: Int32Array,
    geometry: Int32Array,
    threads?: number,
  ): void;
  /**
   * Max-pool's gradient: gradInput = 0, then gradOut[o] added at argmax[o] in output order. The
   * arrays hold `images` equal parts (split among threads by whole parts), and part b's argmax must
   * point into part b of gradInput. Returns −1, or the first o whose argmax does not.
   */
  maxPoolBackwardF32(
    gradOut: Float32Array,
    argmax: Int32Array,
    gradInput: Float32Array,
    images: number,
    threads?: number,
  ): number;
  /** out = ±1, sign(±0) = +1. */
  signsF32(x: Float32Array, out: Float32Array, threads?: number): void;
  /** gradIn = |x| ≤ clip ? gradOut : 0. */
  steBackwardF32(
    x: Float32Array,
    gradOut: Float32Array,
    gradIn: Float32Array,
    clip: number,
    threads?: number,
  ): void;
  /** acc[j] = Σ a[r][j], acc2[j] = Σ a[r][j]·b[r][j] (float64) over [rows, c] data (threads split channels). */
  channelSumsF64(
    a: Float32Array,
    b: Float32Array,
    rows: number,
    c: number,
    acc: Float64Array,
    acc2: Float64Array,
    threads?: number,
  ): void;
  /** x̂ = (x − mean)·invStd, y = γ·x̂ + β (float64 arithmetic). */
  batchNormF32(
    x: Float32Array,
    rows: number,
    c: number,
    mean: Float64Array,
    invStd: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    xhat: Float32Array,
    y: Float32Array,
    threads?: number,
  ): void;
  /** gx = γ·invStd·(g − meanG − x̂·meanGH) (float64 arithmetic). */
  batchNormBackwardF32(
    g: Float32Array,
    xhat: Float32Array,
    rows: number,
    c: number,
    gamma: Float32Array,
    invStd: Float32Array,
    meanG: Float64Array,
    meanGH: Float64Array,
    gx: Float32Array,
    threads?: number,
  ): void;
  /**
   * Adam in place, every operation in float32 (constants rounded to float32): m ← β₁m + (1−β₁)g;
   * v ← β₂v + (1−β₂)g²; w ← clamp(w − lr·m/(√v + ε̂), lo, hi).
   */
  adamF32(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    lr: number,
    epsHat: number,
    lo: number,
    hi: number,
    threads?: number,
  ): void;
  /**
   * The forward product of a binary convolution: y = conv(x, W) for ±1 NHWC floats x (any value
   * ≥ 0, −0 included, reads +1) and ±1 weights prepacked as @onebit/bitops' `prepackConvWeights`
   * gives them (`rowWords` words per output channel), through the XNOR-popcount kernels: the exact
   * integer dots as floats. Equal strides; out-of-image taps read +1. Input packing and output
   * pixels split among up to `threads` threads.
   */
  xnorConv2dF32(
    x: Float32Array,
    panels: Uint32Array,
    geometry: Int32Array,
    outC: number,
    rowWords: number,
    y: Float32Array,
    threads?: number,
  ): void;
}

export type NativeTrainKernelsStatus =
  | { kernels: NativeTrainKernels; error?: undefined }
  | { kernels?: undefined; error: string };

const NAMES = [
  "im2colF32",
  "col2imAddF32",
  "maxPoolF32",
  "maxPoolBackwardF32",
  "signsF32",
  "steBackwardF32",
  "channelSumsF64",
  "batchNormF32",
  "batchNormBackwardF32",
  "adamF32",
  "xnorConv2dF32",
] as const satisfies readonly (keyof NativeTrainKernels)[];

/**
 * The training kernels of this platform's addon. Never throws: a missing binary, or one built
 * before these kernels existed, comes back as `error`.
 */
export function loadNativeTrainKernels(): NativeTrainKernelsStatus {
  const loaded = loadNativeAddon();
  if ("error" in loaded) return { error: loaded.error };
  const addon = loaded.addon as unknown as Partial<NativeTrainKernels>;
  const missing = NAMES.filter((name) => typeof addon[name] !== "function");
  if (missing.length > 0) {
    return {
      error: `the addon at ${loaded.path} has no ${missing.join(", ")} (built before they existed: rebuild it)`,
    };
  }
  const kernels = Object.fromEntries(
    NAMES.map((name) => [name, (addon[name] as (...a: unknown[]) => void).bind(addon)]),
  ) as unknown as NativeTrainKernels;
  return { kernels };
}
