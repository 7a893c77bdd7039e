import type { Quantizer } from "../quantizers.js";

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

  constructor(
    readonly quantizer: Quantizer,
    size: number,
  ) {
    this.effective = new Float32Array(size);
    this.product = quantizer.scales ? new Float32Array(size) : this.effective;
  }

  /** Re-quantizes from the latent weights (channels = size of the last axis). */
  update(latent: Float32Array, channels: number): void {
    this.quantizer.forward(latent, this.effective, channels);
    if (this.quantizer.scales) {
      this.scales = this.quantizer.scales(latent, channels);
      for (let i = 0; i < latent.length; i++) this.product[i] = latent[i]! >= 0 ? 1 : -1;
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
