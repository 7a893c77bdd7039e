import type { Rng } from "@onebit/tensor";
import { type Constraint, weightClip } from "../constraints.js";
import { glorotLrScale, glorotUniform, uniformLatent } from "../initializers.js";
import { createParam, type Param } from "../param.js";
import { isPlainSign, type Quantizer, type QuantizerLike, resolveQuantizer, steSign } from "../quantizers.js";
import { Scratch, type Shape } from "../shape.js";
import { kernelBackwardIsIdentity, QuantizedKernel, signsOf } from "./quantized-kernel.js";
import { Layer, type LayerCost } from "./layer.js";

/** Options every layer with a (possibly quantized) kernel takes. */
export interface QuantizedLayerOptions {
  name?: string;
  /** Per-output-channel bias (default: true for real layers, false for binary ones, whose BatchNorm centers). */
  useBias?: boolean;
  /** Quantizer applied to the inputs before the product (e.g. `steSign()` for binary activations). */
  inputQuantizer?: QuantizerLike | null;
  /** Quantizer applied to the kernel (binary layers: `steSign()`). */
  kernelQuantizer?: QuantizerLike | null;
  /** Constraint on the (latent) kernel after each update (binary layers: `weightClip(1)`). */
  kernelConstraint?: Constraint | null;
  /**
   * With binarized inputs and kernel, run the forward product with @onebit/bitops' XNOR-popcount
   * kernels (bit-exact; default true, used where WebAssembly or the native addon is available).
   */
  xnorForward?: boolean;
}

/**
 * The plumbing Dense and Conv2d share (as Larq's `layers_base` does for its quantized layers): the
 * quantizer and constraint defaults, the latent kernel and bias parameters and their
 * initialization, input and kernel quantization, bias add and its gradient, the kernel gradient
 * through the quantizer's pseudo-gradient, the views of the kernel export needs, and the summary
 * cost. A subclass supplies the product (GEMM or convolution) and the shapes.
 */
export abstract class QuantizedLayer extends Layer {
  readonly type: string;
  readonly useBias: boolean;
  readonly inputQuantizer: Quantizer | undefined;
  readonly kernelQuantizer: Quantizer | undefined;
  readonly kernelConstraint: Constraint | undefined;
  /** Whether binary × binary products may run on XNOR-popcount kernels. */
  readonly xnorForward: boolean;
  private kernelParam: Param | undefined;
  private biasParam: Param | undefined;
  protected qk: QuantizedKernel | undefined;
  protected readonly out = new Scratch();
  private readonly xq = new Scratch();
  protected lastX: Float32Array | undefined;
  protected lastXq: Float32Array | undefined;
  private lastBatch = 0;

  /** `binary`: the binary variant's defaults (steSign kernel, weightClip(1), no bias). */
  constructor(type: string, binary: boolean, options: QuantizedLayerOptions) {
    super(options.name);
    this.type = type;
    this.useBias = options.useBias ?? !binary;
    this.inputQuantizer = resolveQuantizer(options.inputQuantizer);
    this.kernelQuantizer =
      options.kernelQuantizer === undefined
        ? binary
          ? steSign()
          : undefined
        : resolveQuantizer(options.kernelQuantizer);
    this.kernelConstraint =
      options.kernelConstraint === undefined
        ? this.kernelQuantizer
          ? weightClip(1)
          : undefined
        : (options.kernelConstraint ?? undefined);
    this.xnorForward = options.xnorForward ?? true;
  }

  /**
   * Creates the XNOR-popcount forward product (called from `init` when the inputs are quantized by
   * plain signs, or by `inputsAreSigns`); a layer whose product cannot run that way does nothing.
   */
  protected createXnor(): void {}

  /** Whether the forward product may run on XNOR kernels given ±1 inputs (`signInputs`). */
  protected xnorApplies(signInputs: boolean): boolean {
    return this.xnorForward && isPlainSign(this.kernelQuantizer) && signInputs;
  }

  /**
   * Told by the model that every input is exactly ±1 (a sign activation right before): the forward
   * product may then run on XNOR-popcount kernels without an input quantizer.
   */
  inputsAreSigns(): void {
    if (this.inputQuantizer === undefined && this.xnorApplies(true)) this.createXnor();
  }

  /** Output channels: the last axis of the kernel and of the output. */
  abstract get channels(): number;

  /** Multiply-accumulates per sample of the product (for the summary). */
  protected abstract macsPerSample(): number;

  /**
   * Creates the kernel (latent U(−1, 1) when quantized, else Glorot-uniform), the bias and the
   * quantized-kernel cache. Call from `init`.
   */
  protected createKernel(shape: Shape, fanIn: number, fanOut: number, rng: Rng): void {
    const n = shape.reduce((a, b) => a * b, 1);
    const binary = this.kernelQuantizer !== undefined;
    this.kernelParam = createParam(
      `${this.name}/kernel`,
      shape,
      binary ? "binary" : "real",
      binary ? uniformLatent(n, rng) : glorotUniform(n, fanIn, fanOut, rng),
      this.kernelConstraint,
      binary ? glorotLrScale(fanIn, fanOut) : 1,
    );
    if (this.useBias) {
      this.biasParam = createParam(
        `${this.name}/bias`,
        [this.channels],
        "real",
        new Float32Array(this.channels),
      );
    }
    if (this.kernelQuantizer) this.qk = new QuantizedKernel(this.kernelQuantizer, n);
  }

  get kernel(): Param {
    this.requireBuilt();
    return this.kernelParam!;
  }

  get bias(): Param | undefined {
    return this.biasParam;
  }

  /** The latent (real-valued, trained) kernel, output channels last. */
  get latentWeights(): Float32Array {
    return this.kernel.value;
  }

  /** The kernel as the forward pass uses it: q(W) for quantized layers (±1, or ±α per channel), else W. */
  effectiveWeights(): Float32Array {
    const w = this.kernel.value;
    if (!this.qk) return w.slice();
    this.qk.update(w, this.channels);
    return this.qk.effective.slice();
  }

  /** Per-output-channel scale α of a scaled kernel quantizer (`magnitudeAwareSign`), else undefined. */
  kernelScales(): Float32Array | undefined {
    return this.kernelQuantizer?.scales?.(this.kernel.value, this.channels);
  }

  /** The ±1 signs of the latent kernel, output channels last (sign(0) = +1). */
  binaryWeights(): Float32Array {
    return signsOf(this.kernel.value);
  }

  override params(): Param[] {
    return this.biasParam ? [this.kernel, this.biasParam] : [this.kernel];
  }

  /** q_in(x) (x itself without an input quantizer); `channels`: the size of the input's last axis. */
  protected quantizeInput(x: Float32Array, channels: number): Float32Array {
    if (!this.inputQuantizer) return x;
    const xq = this.xq.get(x.length);
    this.inputQuantizer.forward(x, xq, channels);
    return xq;
  }

  /** Adds the bias (if any) and keeps what backward needs. */
  protected finishForward(y: Float32Array, x: Float32Array, xq: Float32Array, batch: number): Float32Array {
    const b = this.biasParam?.value;
    if (b) {
      const f = b.length;
      for (let i = 0; i < y.length; i += f) for (let j = 0; j < f; j++) y[i + j]! += b[j]!;
    }
    this.lastX = x;
    this.lastXq = xq;
    this.lastBatch = batch;
    return y;
  }

  /** Checks backward's arguments against the last forward and fills the bias gradient. */
  protected startBackward(gradOut: Float32Array, batch: number): void {
    this.requireForward(this.lastXq, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    const gb = this.biasParam?.grad;
    if (gb) {
      const f = gb.length;
      gb.fill(0);
      for (let i = 0; i < gradOut.length; i += f) for (let j = 0; j < f; j++) gb[j]! += gradOut[i + j]!;
    }
  }

  /** kernel.grad ← ∂L/∂W from ∂L/∂q(W) (`gradQ`, may be kernel.grad itself) through the quantizer. */
  protected setKernelGrad(gradQ: Float32Array): void {
    const kernel = this.kernel;
    if (this.kernelQuantizer && !kernelBackwardIsIdentity(this.kernelQuantizer, this.qk!)) {
      this.kernelQuantizer.backward(kernel.value, gradQ, kernel.grad, this.channels);
    } else if (gradQ !== kernel.grad) kernel.grad.set(gradQ);
  }

  /** The kernel ∂L/∂x is computed with: q(W), or W. */
  protected get backwardKernel(): Float32Array {
    return this.qk ? this.qk.effective : this.kernel.value;
  }

  /** ∂L/∂x (in place) through the input quantizer's pseudo-gradient. */
  protected inputGrad(gx: Float32Array, channels: number): Float32Array {
    if (this.inputQuantizer) this.inputQuantizer.backward(this.lastX!, gx, gx, channels);
    return gx;
  }

  override outputBits(): number {
    return 32;
  }

  override cost(inputBits: number): LayerCost {
    const inBits = this.inputQuantizer ? this.inputQuantizer.bits : inputBits;
    const kBits = this.kernelQuantizer ? this.kernelQuantizer.bits : 32;
    const weights = this.kernel.value.length;
    const bias = this.useBias ? this.channels : 0;
    const macs = this.macsPerSample();
    const binaryMacs = inBits === 1 && kBits === 1;
    return {
      inputPrecision: inBits,
      params1bit: kBits === 1 ? weights : 0,
      params32bit: (kBits === 1 ? 0 : weights) + bias,
      macs1bit: binaryMacs ? macs : 0,
      macs32bit: binaryMacs ? 0 : macs,
    };
  }
}
