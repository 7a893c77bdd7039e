import { activeNativeTrainKernels, nativeThreads } from "@onebit/tensor";
import { assertFiniteNumber, NnError } from "./errors.js";

/**
 * A quantizer: a forward function and its pseudo-gradient, applied elementwise over a tensor whose
 * last axis has `channels` entries (per-channel quantizers such as `magnitudeAwareSign` use it).
 * Swappable wherever a layer takes a kernel or input quantizer.
 */
export interface Quantizer {
  readonly name: string;
  /** Bits of the output: 1 for sign-like quantizers (what `summary` and export look at). */
  readonly bits: number;
  /** out[i] = q(x[i]). `out` may not alias `x`. */
  forward(x: Float32Array, out: Float32Array, channels: number): void;
  /** gradIn[i] = gradOut[i] · q̃′(x[i]) with q̃′ the pseudo-gradient. `gradIn` may alias `gradOut`. */
  backward(x: Float32Array, gradOut: Float32Array, gradIn: Float32Array, channels: number): void;
  /** Per-channel output scale of the last `forward` over `x` (1 for plain sign quantizers). */
  scales?(x: Float32Array, channels: number): Float32Array;
  /** The pseudo-gradient is exactly 1 for |x| ≤ this value (steSign: its clip), so backward is a copy there. */
  readonly identityWithin?: number;
}

function assertClip(clip: number, what: string): void {
  assertFiniteNumber(clip, `${what} clip`);
  if (clip <= 0) throw new NnError("INVALID_ARGUMENT", `${what} clip must be > 0, got ${clip}`);
}

/** From this many values on, the sign passes call @onebit/native's kernels where active (same bits). */
const NATIVE_MIN = 1024;

const int32View = (a: Float32Array) => new Int32Array(a.buffer, a.byteOffset, a.length);
const bitsOf = (v: number): number => new Int32Array(Float32Array.of(v).buffer)[0]!;

/**
 * sign(x) with sign(0) = sign(−0) = +1, the convention of packing (+1 → bit 1). Branch-free on the
 * float bits (the signs of activations are unpredictable, a branch per value would mispredict half
 * the time): −1.0f for a set sign bit with non-zero magnitude, +1.0f otherwise.
 */
function signForward(x: Float32Array, out: Float32Array): void {
  const native = x.length >= NATIVE_MIN ? activeNativeTrainKernels() : null;
  if (native) {
    native.signsF32(x, out, nativeThreads());
    return;
  }
  const xi = int32View(x);
  const oi = int32View(out);
  for (let i = 0; i < xi.length; i++) {
    const u = xi[i]!;
    const negative = (u >>> 31) & (((u & 0x7fffffff) + 0x7fffffff) >>> 31);
    oi[i] = 0x3f800000 | (negative << 31);
  }
}

/** gradIn[i] = |x[i]| ≤ clip ? gradOut[i] : 0, branch-free on the float bits (NaN counts as outside). */
function steBackward(x: Float32Array, gradOut: Float32Array, gradIn: Float32Array, clip: number): void {
  const native = x.length >= NATIVE_MIN ? activeNativeTrainKernels() : null;
  if (native) {
    native.steBackwardF32(x, gradOut, gradIn, clip, nativeThreads());
    return;
  }
  const c = bitsOf(clip);
  const xi = int32View(x);
  const gi = int32View(gradOut);
  const oi = int32View(gradIn);
  for (let i = 0; i < xi.length; i++) {
    const inside = ((c - (xi[i]! & 0x7fffffff)) >>> 31) ^ 1;
    oi[i] = gi[i]! & -inside;
  }
}

/** Forward sign(x); backward the straight-through estimator g·1{|x| ≤ clip} (BNN paper, Larq `ste_sign`). */
export function steSign(clip = 1): Quantizer {
  assertClip(clip, "steSign");
  return {
    name: clip === 1 ? "steSign" : `steSign(${clip})`,
    bits: 1,
    identityWithin: clip,
    forward: signForward,
    backward(x, gradOut, gradIn) {
      steBackward(x, gradOut, gradIn, clip);
    },
  };
}

/** Forward sign(x); backward g·(2 − 2|x|)·1{|x| ≤ 1} (Bi-Real Net's ApproxSign, Larq `approx_sign`). */
export function approxSign(): Quantizer {
  return {
    name: "approxSign",
    bits: 1,
    forward: signForward,
    backward(x, gradOut, gradIn) {
      for (let i = 0; i < x.length; i++) {
        const a = Math.abs(x[i]!);
        gradIn[i] = a <= 1 ? gradOut[i]! * (2 - 2 * a) : 0;
      }
    },
  };
}

/**
 * Forward sign(x); backward the derivative of SignSwish 2σ(βx)(1 + βx(1 − σ(βx))) − 1:
 * β(2 − βx·tanh(βx/2)) / (1 + cosh(βx)) (Larq `swish_sign`, β = 5 by default).
 */
export function swishSign(beta = 5): Quantizer {
  assertFiniteNumber(beta, "swishSign beta");
  if (beta <= 0) throw new NnError("INVALID_ARGUMENT", `swishSign beta must be > 0, got ${beta}`);
  return {
    name: beta === 5 ? "swishSign" : `swishSign(${beta})`,
    bits: 1,
    forward: signForward,
    backward(x, gradOut, gradIn) {
      for (let i = 0; i < x.length; i++) {
        const bx = beta * x[i]!;
        // cosh overflows to Infinity for |βx| > 710, where the derivative is 0 anyway.
        const d = (beta * (2 - bx * Math.tanh(bx / 2))) / (1 + Math.cosh(bx));
        gradIn[i] = Number.isFinite(d) ? gradOut[i]! * d : 0;
      }
    },
  };
}

/** Mean |x| per channel (the last axis) over all other axes. */
function channelMeanAbs(x: Float32Array, channels: number): Float32Array {
  const sums = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) sums[c]! += Math.abs(x[i + c]!);
  }
  const rows = x.length / channels;
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) scales[c] = rows > 0 ? sums[c]! / rows : 0;
  return scales;
}

/**
 * XNOR-Net's scaled sign: α_c·sign(x) with α_c = mean |x| over all axes but the last (output channels
 * of a kernel), α treated as a constant in the backward pass: g·α_c·1{|x| ≤ clip} (Larq
 * `magnitude_aware_sign`). Meant for kernels.
 */
export function magnitudeAwareSign(clip = 1): Quantizer {
  assertClip(clip, "magnitudeAwareSign");
  return {
    name: clip === 1 ? "magnitudeAwareSign" : `magnitudeAwareSign(${clip})`,
    bits: 1,
    forward(x, out, channels) {
      const scales = channelMeanAbs(x, channels);
      for (let i = 0; i < x.length; i += channels) {
        for (let c = 0; c < channels; c++) out[i + c] = x[i + c]! >= 0 ? scales[c]! : -scales[c]!;
      }
    },
    backward(x, gradOut, gradIn, channels) {
      const scales = channelMeanAbs(x, channels);
      steBackward(x, gradOut, gradIn, clip);
      for (let i = 0; i < x.length; i += channels) {
        for (let c = 0; c < channels; c++) gradIn[i + c]! *= scales[c]!;
      }
    },
    scales: channelMeanAbs,
  };
}

export type QuantizerName = "steSign" | "approxSign" | "swishSign" | "magnitudeAwareSign";

/** A quantizer object, or one given by name with its default settings. */
export type QuantizerLike = Quantizer | QuantizerName;

export function resolveQuantizer(q: QuantizerLike | null | undefined): Quantizer | undefined {
  if (q == null) return undefined;
  if (typeof q === "object") return q;
  switch (q) {
    case "steSign":
      return steSign();
    case "approxSign":
      return approxSign();
    case "swishSign":
      return swishSign();
    case "magnitudeAwareSign":
      return magnitudeAwareSign();
    default:
      throw new NnError("INVALID_ARGUMENT", `unknown quantizer "${String(q)}"`);
  }
}

/** A plain sign quantizer (1 bit, no per-channel scale): its outputs are exactly ±1. */
export function isPlainSign(q: Quantizer | undefined): boolean {
  return q !== undefined && q.bits === 1 && q.scales === undefined;
}
