import { FormatError } from "./errors.js";
import { LIMITS } from "./limits.js";

/**
 * BatchNorm (evaluation mode) after a layer whose pre-activation is z = dotScale·x + bias, where x
 * is the layer's dot product (an integer for binary and bit-plane layers). Per-channel arrays all
 * have one entry per output channel.
 */
export interface BatchNormParams {
  readonly gamma: ArrayLike<number>;
  readonly beta: ArrayLike<number>;
  readonly mean: ArrayLike<number>;
  readonly variance: ArrayLike<number>;
  readonly epsilon: number;
  /** Added to the dot before BatchNorm: a layer bias, or offset·Σw of a folded input normalization. Default 0. */
  readonly bias?: ArrayLike<number>;
  /** Multiplies the dot before BatchNorm (one value or one per channel), e.g. a folded input scale. Default 1. */
  readonly dotScale?: ArrayLike<number> | number;
}

/**
 * The arithmetic of the reference predicate: `"float64"` (default), or `"float32"` with every
 * operation rounded to binary32, to match a float32 forward pass that uses the same formula.
 */
export type FoldArithmetic = "float64" | "float32";

/** Inclusive range of the integer dot x, e.g. [−K, K] for a binary layer of fan-in K. */
export interface DotRange {
  readonly min: number;
  readonly max: number;
}

/** Int32 thresholds and flip flags of a `bits` output (SPEC.md §5.4). */
export interface IntegerThresholds {
  readonly thresholds: Int32Array;
  readonly flip: Uint8Array;
}

/** Float32 thresholds and flip flags of a float layer's `bits` output. */
export interface FloatThresholds {
  readonly thresholds: Float32Array;
  readonly flip: Uint8Array;
}

export interface FoldOptions {
  readonly arithmetic?: FoldArithmetic;
}

const DEFAULT_RANGE: DotRange = { min: -LIMITS.maxIntegerDot, max: LIMITS.maxIntegerDot };

interface Channel {
  gamma: number;
  beta: number;
  mean: number;
  sigma: number;
  bias: number;
  dotScale: number;
}

function checkLengths(p: BatchNormParams): number {
  const n = p.gamma.length;
  for (const f of ["beta", "mean", "variance"] as const) {
    if (p[f].length !== n)
      throw new FormatError("INVALID_ARGUMENT", `batchNorm.${f}: ${p[f].length} entries, gamma has ${n}`);
  }
  if (p.bias !== undefined && p.bias.length !== n) {
    throw new FormatError("INVALID_ARGUMENT", `batchNorm.bias: ${p.bias.length} entries, gamma has ${n}`);
  }
  const ds = p.dotScale ?? 1;
  if (typeof ds !== "number" && ds.length !== n) {
    throw new FormatError("INVALID_ARGUMENT", `batchNorm.dotScale: ${ds.length} entries, gamma has ${n}`);
  }
  if (!Number.isFinite(p.epsilon) || p.epsilon < 0) {
    throw new FormatError("INVALID_ARGUMENT", `batchNorm.epsilon: ${p.epsilon} is not a finite number ≥ 0`);
  }
  return n;
}

/** Channel c's parameters, rounded to the arithmetic's precision and checked finite. */
function channel(p: BatchNormParams, c: number, arithmetic: FoldArithmetic): Channel {
  const r = arithmetic === "float32" ? Math.fround : (x: number) => x;
  const ds = p.dotScale ?? 1;
  const ch: Channel = {
    gamma: r(p.gamma[c]!),
    beta: r(p.beta[c]!),
    mean: r(p.mean[c]!),
    sigma: r(Math.sqrt(r(r(p.variance[c]!) + r(p.epsilon)))),
    bias: r(p.bias?.[c] ?? 0),
    dotScale: r(typeof ds === "number" ? ds : ds[c]!),
  };
  for (const [k, v] of Object.entries(ch)) {
    if (!Number.isFinite(v))
      throw new FormatError("INVALID_ARGUMENT", `batchNorm channel ${c}: ${k} is ${v}`);
  }
  if (!(ch.sigma > 0)) {
    throw new FormatError(
      "INVALID_ARGUMENT",
      `batchNorm channel ${c}: sqrt(variance + epsilon) is ${ch.sigma}, must be > 0`,
    );
  }
  return ch;
}

function channels(p: BatchNormParams, arithmetic: FoldArithmetic): Channel[] {
  const n = checkLengths(p);
  return Array.from({ length: n }, (_, c) => channel(p, c, arithmetic));
}

/**
 * The sign BatchNorm gives channel c for dot x, by the formula every fold reproduces exactly:
 * t = dotScale·x + bias;  y = gamma·((t − mean) / sqrt(variance + epsilon)) + beta;  bit = y ≥ 0
 * (sign(0) = +1); γ = 0 gives sign(β). In `"float32"` arithmetic x, every parameter and every intermediate is rounded
 * to binary32. Each step is monotone in x, so the set of x giving 1 is a half-line — which is what
 * makes a single threshold exact.
 */
export function batchNormSign(
  p: BatchNormParams,
  c: number,
  x: number,
  arithmetic: FoldArithmetic = "float64",
): 0 | 1 {
  const n = checkLengths(p);
  if (!Number.isInteger(c) || c < 0 || c >= n) {
    throw new FormatError("INVALID_ARGUMENT", `batchNormSign: channel ${c} outside [0, ${n})`);
  }
  return signOf(channel(p, c, arithmetic), x, arithmetic);
}

function signOf(ch: Channel, x: number, arithmetic: FoldArithmetic): 0 | 1 {
  // γ = 0 is sign(β) by definition: 0·(huge/σ) could otherwise overflow to 0·∞ = NaN.
  if (ch.gamma === 0) return ch.beta >= 0 ? 1 : 0;
  if (arithmetic === "float32") {
    const f = Math.fround;
    const t = f(f(ch.dotScale * f(x)) + ch.bias);
    const y = f(f(ch.gamma * f(f(t - ch.mean) / ch.sigma)) + ch.beta);
    return y >= 0 ? 1 : 0;
  }
  const t = ch.dotScale * x + ch.bias;
  return ch.gamma * ((t - ch.mean) / ch.sigma) + ch.beta >= 0 ? 1 : 0;
}

/** +1, −1 or 0: the direction in which the predicate grows with x. */
function direction(ch: Channel): number {
  return Math.sign(ch.gamma) * Math.sign(ch.dotScale);
}

/** Smallest integer in [lo, hi] where the monotone-increasing `pred` holds, or hi + 1. */
function firstTrue(lo: number, hi: number, pred: (x: number) => boolean): number {
  let a = lo;
  let b = hi + 1;
  while (a < b) {
    const m = a + Math.floor((b - a) / 2);
    if (pred(m)) b = m;
    else a = m + 1;
  }
  return a;
}

/**
 * Folds BatchNorm + sign over an integer dot x ∈ [min, max] into one comparison per channel:
 * bit = flip ? x ≤ τ : x ≥ τ, equal to `batchNormSign` for every integer x in the range.
 * γ·dotScale > 0 → flip 0, τ = the smallest x giving 1 (max + 1 if none: always 0);
 * γ·dotScale < 0 → flip 1, τ = the largest x giving 1 (min − 1 if none);
 * γ = 0 (or dotScale = 0) → constant: flip 0, τ = min (always 1) or max + 1 (always 0).
 * The thresholds are found by bisection on the predicate itself, so no rounding can disagree.
 * The default range is ±(2³¹ − 2), the largest |dot| a .onebit integer layer may produce.
 */
export function foldBatchNormToThresholds(
  params: BatchNormParams,
  dotRange: DotRange = DEFAULT_RANGE,
  options: FoldOptions = {},
): IntegerThresholds {
  const { min, max } = dotRange;
  if (
    !Number.isInteger(min) ||
    !Number.isInteger(max) ||
    min > max ||
    min < -LIMITS.maxIntegerDot ||
    max > LIMITS.maxIntegerDot
  ) {
    throw new FormatError(
      "INVALID_ARGUMENT",
      `dotRange: [${min}, ${max}] must be integers with −(2³¹−2) ≤ min ≤ max ≤ 2³¹−2`,
    );
  }
  const arithmetic = options.arithmetic ?? "float64";
  const chs = channels(params, arithmetic);
  const thresholds = new Int32Array(chs.length);
  const flip = new Uint8Array(chs.length);
  chs.forEach((ch, c) => {
    const dir = direction(ch);
    const bit = (x: number) => signOf(ch, x, arithmetic) === 1;
    if (dir > 0) thresholds[c] = firstTrue(min, max, bit);
    else if (dir < 0) {
      flip[c] = 1;
      thresholds[c] = firstTrue(min, max, (x) => !bit(x)) - 1;
    } else thresholds[c] = bit(0) ? min : max + 1;
  });
  return { thresholds, flip };
}

// Float32 values in order ↔ integer keys: +x ↦ its bit pattern, −x ↦ −(pattern of |x|); ±∞ = ±0x7f800000.
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const INF_KEY = 0x7f800000;
function keyToFloat(k: number): number {
  U32[0] = k >= 0 ? k : 0x80000000 | -k;
  return F32[0]!;
}

/**
 * Float-layer variant: folds BatchNorm + sign over a float32 pre-activation z into float32
 * thresholds, bit = flip ? z ≤ θ : z ≥ θ, equal to `batchNormSign` for every float32 z (found by
 * bisection over the ordered float32 values). A constant channel is flip 0 with θ = −∞ (always 1)
 * or +∞ (never 1 for finite z); likewise a channel true for no finite z gets ±∞.
 */
export function foldBatchNormToFloatThresholds(
  params: BatchNormParams,
  options: FoldOptions = {},
): FloatThresholds {
  const arithmetic = options.arithmetic ?? "float64";
  const chs = channels(params, arithmetic);
  const thresholds = new Float32Array(chs.length);
  const flip = new Uint8Array(chs.length);
  chs.forEach((ch, c) => {
    const dir = direction(ch);
    const bit = (k: number) => signOf(ch, keyToFloat(k), arithmetic) === 1;
    if (dir > 0) {
      const k = firstTrue(-INF_KEY, INF_KEY, bit);
      thresholds[c] = k > INF_KEY ? Number.POSITIVE_INFINITY : keyToFloat(k);
    } else if (dir < 0) {
      flip[c] = 1;
      const k = firstTrue(-INF_KEY, INF_KEY, (x) => !bit(x)) - 1;
      thresholds[c] = k < -INF_KEY ? Number.NEGATIVE_INFINITY : keyToFloat(k);
    } else thresholds[c] = bit(0) ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  });
  return { thresholds, flip };
}

/**
 * Folds BatchNorm without sign (a last layer producing logits) into y = scale·x + bias per channel:
 * scale = γ·dotScale/σ, bias = γ·(bias − mean)/σ + β, computed in float64 and rounded to float32.
 */
export function foldBatchNormToScaleBias(params: BatchNormParams): {
  scale: Float32Array;
  bias: Float32Array;
} {
  const chs = channels(params, "float64");
  const scale = new Float32Array(chs.length);
  const bias = new Float32Array(chs.length);
  chs.forEach((ch, c) => {
    scale[c] = (ch.gamma * ch.dotScale) / ch.sigma;
    bias[c] = (ch.gamma * (ch.bias - ch.mean)) / ch.sigma + ch.beta;
  });
  return { scale, bias };
}
