import type { Quantizer } from "../quantizers.js";
import { SignPacker } from "./sign-packer.js";

/** The ±1 signs of `values` (sign(0) = +1), written into `out`. */
export function signsOf(
  values: Float32Array,
  out: Float32Array = new Float32Array(values.length),
): Float32Array {
  for (let i = 0; i < values.length; i++) out[i] = values[i]! >= 0 ? 1 : -1;
  return out;
}

/**
 * A kernel as the forward pass uses it. For per-channel scaled quantizers (q(W) = α_c·sign(W))
 * the product runs on the ±1 signs and the output channel is scaled afterwards, y = α_c·(x·s):
 * the dot of ±1 inputs stays an exact integer, as in the packed runtime, so folded thresholds
 * reproduce the trained model's bits exactly.
 */
export class QuantizedKernel {
  /** q(W), e.g. ±1 or ±α_c (used for ∂L/∂x). */
  readonly effective: Float32Array;
  /** What the product multiplies: the signs when scaled, else q(W) itself. */
  readonly product: Float32Array;
  /** α per output channel for scaled quantizers, else undefined. */
  scales: Float32Array | undefined;
  /** max |W| of the last update (+∞ when not tracked): decides whether backward is the identity. */
  maxAbs = Number.POSITIVE_INFINITY;

  constructor(
    readonly quantizer: Quantizer,
    size: number,
  ) {
    this.effective = new Float32Array(size);
    this.product = quantizer.scales ? new Float32Array(size) : this.effective;
  }

  /** Re-quantizes from the latent weights (channels = size of the last axis). */
  update(latent: Float32Array, channels: number): void {
    if (this.quantizer.identityWithin !== undefined && !this.quantizer.scales && this.quantizer.bits === 1) {
      this.maxAbs = signsAndMaxAbs(latent, this.effective);
      return;
    }
    this.maxAbs = Number.POSITIVE_INFINITY;
    this.quantizer.forward(latent, this.effective, channels);
    if (this.quantizer.scales) {
      this.scales = this.quantizer.scales(latent, channels);
      signsOf(latent, this.product);
    }
  }

  /** y[r][c] ← y[r][c]·α_c for a row-major output whose last axis has `channels` entries. */
  scaleOutput(y: Float32Array, channels: number): void {
    const s = this.scales;
    if (!s) return;
    for (let i = 0; i < y.length; i += channels) {
      for (let c = 0; c < channels; c++) y[i + c]! *= s[c]!;
    }
  }
}

/**
 * out = sign(w) (±1, sign(±0) = +1) and the largest |w|, in one branch-free pass over the float bits
 * (the same sign rule as the sign quantizers).
 */
export function signsAndMaxAbs(w: Float32Array, out: Float32Array): number {
  const packer = SignPacker.get();
  if (packer) return bitsToFloat(packer.signsMaxAbs(w, out) >>> 0);
  return signsAndMaxAbsTs(w, out);
}

/** `signsAndMaxAbs` in TypeScript (where WebAssembly SIMD is unavailable). */
export function signsAndMaxAbsTs(w: Float32Array, out: Float32Array): number {
  const wi = new Int32Array(w.buffer, w.byteOffset, w.length);
  const oi = new Int32Array(out.buffer, out.byteOffset, out.length);
  let maxBits = 0;
  for (let i = 0; i < wi.length; i++) {
    const u = wi[i]!;
    const m = u & 0x7fffffff;
    const negative = (u >>> 31) & ((m + 0x7fffffff) >>> 31);
    oi[i] = 0x3f800000 | (negative << 31);
    maxBits = Math.max(maxBits, m);
  }
  return bitsToFloat(maxBits);
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** The float whose bits are `bits` (NaN magnitudes stay NaN, so comparisons with them fail). */
export function bitsToFloat(bits: number): number {
  i32[0] = bits;
  return f32[0]!;
}

/** True when the quantizer's backward is a plain copy for every weight (|W| within its identity range). */
export function kernelBackwardIsIdentity(q: Quantizer, qk: QuantizedKernel): boolean {
  return q.identityWithin !== undefined && qk.maxAbs <= q.identityWithin;
}
