import { gemm } from "@onebit/tensor";
import { type Constraint, weightClip } from "../constraints.js";
import { assertPositiveInteger, NnError } from "../errors.js";
import { glorotLrScale, glorotUniform, uniformLatent } from "../initializers.js";
import { createParam, type Param } from "../param.js";
import { isPlainSign, type Quantizer, type QuantizerLike, resolveQuantizer, steSign } from "../quantizers.js";
import { formatShape, Scratch, type Shape } from "../shape.js";
import { kernelBackwardIsIdentity, QuantizedKernel, signsOf } from "./quantized-kernel.js";
import { XnorDense } from "./xnor-dense.js";
import { type BuildContext, type ForwardContext, Layer, type LayerCost } from "./layer.js";

export interface DenseOptions {
  name?: string;
  /** Add a per-unit bias (default: true for `dense`, false for `binaryDense`, whose BatchNorm centers anyway). */
  useBias?: boolean;
  /** Quantizer applied to the inputs before the product (e.g. `steSign()` for binary activations). */
  inputQuantizer?: QuantizerLike | null;
  /** Quantizer applied to the kernel (`binaryDense`: `steSign()`). */
  kernelQuantizer?: QuantizerLike | null;
  /** Constraint on the (latent) kernel after each update (`binaryDense`: `weightClip(1)`). */
  kernelConstraint?: Constraint | null;
  /**
   * With binarized inputs and kernel, run the forward product with @onebit/bitops' XNOR-popcount
   * kernels (bit-exact; default true, used where WebAssembly is available).
   */
  xnorForward?: boolean;
}

/**
 * Fully connected layer y = q_in(x)·q_k(W) + b with W stored [inputs, units] row-major. With a
 * kernel quantizer it is Larq's QuantDense: the latent weights W are trained, the forward pass uses
 * their quantized (±1) version.
 */
export class Dense extends Layer {
  readonly type: string;
  readonly units: number;
  readonly useBias: boolean;
  readonly inputQuantizer: Quantizer | undefined;
  readonly kernelQuantizer: Quantizer | undefined;
  readonly kernelConstraint: Constraint | undefined;
  private kernelParam: Param | undefined;
  private biasParam: Param | undefined;
  private readonly out = new Scratch();
  private readonly xq = new Scratch();
  private readonly gx = new Scratch();
  private qk: QuantizedKernel | undefined;
  private xnor: XnorDense | undefined;
  private readonly xnorForward: boolean;
  private lastX: Float32Array | undefined;
  private lastXq: Float32Array | undefined;
  private lastBatch = 0;

  constructor(type: "dense" | "binaryDense", units: number, options: DenseOptions = {}) {
    super(options.name);
    assertPositiveInteger(units, `${type} units`);
    this.type = type;
    this.units = units;
    const binary = type === "binaryDense";
    this.useBias = options.useBias ?? !binary;
    this.inputQuantizer = resolveQuantizer(options.inputQuantizer);
    this.kernelQuantizer =
      options.kernelQuantizer === undefined
        ? binary
          ? steSign()
          : undefined
        : resolveQuantizer(options.kernelQuantizer);
    this.xnorForward = options.xnorForward ?? true;
    this.kernelConstraint =
      options.kernelConstraint === undefined
        ? this.kernelQuantizer
          ? weightClip(1)
          : undefined
        : (options.kernelConstraint ?? undefined);
  }

  protected init(inputShape: Shape, ctx: BuildContext): Shape {
    if (inputShape.length !== 1) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name} needs flat input [features], got ${formatShape(inputShape)}; add flatten() before it`,
      );
    }
    const fanIn = inputShape[0]!;
    const n = fanIn * this.units;
    const binary = this.kernelQuantizer !== undefined;
    const kernel = binary ? uniformLatent(n, ctx.rng) : glorotUniform(n, fanIn, this.units, ctx.rng);
    this.kernelParam = createParam(
      `${this.name}/kernel`,
      [fanIn, this.units],
      binary ? "binary" : "real",
      kernel,
      this.kernelConstraint,
      binary ? glorotLrScale(fanIn, this.units) : 1,
    );
    if (this.useBias) {
      this.biasParam = createParam(`${this.name}/bias`, [this.units], "real", new Float32Array(this.units));
    }
    if (this.kernelQuantizer) this.qk = new QuantizedKernel(this.kernelQuantizer, n);
    if (this.xnorForward && isPlainSign(this.kernelQuantizer) && isPlainSign(this.inputQuantizer)) {
      this.xnor = XnorDense.create(fanIn, this.units);
    }
    return [this.units];
  }

  /**
   * Told by the model that every input is exactly ±1 (a sign activation right before): the forward
   * product may then run on XNOR-popcount kernels without an input quantizer.
   */
  inputsAreSigns(): void {
    if (
      !this.xnor &&
      this.xnorForward &&
      isPlainSign(this.kernelQuantizer) &&
      this.inputQuantizer === undefined
    ) {
      this.xnor = XnorDense.create(this.inputSize, this.units);
    }
  }

  /** The latent (real-valued, trained) kernel, [inputs, units] row-major. */
  get latentWeights(): Float32Array {
    return this.kernel.value;
  }

  get kernel(): Param {
    this.requireBuilt();
    return this.kernelParam!;
  }

  get bias(): Param | undefined {
    return this.biasParam;
  }

  /** The kernel as the forward pass uses it: q(W) for binary layers (±1, or ±α per unit), else W. */
  effectiveWeights(): Float32Array {
    const w = this.kernel.value;
    if (!this.qk) return w.slice();
    this.qk.update(w, this.units);
    return this.qk.effective.slice();
  }

  /** Per-output-channel scale α of a scaled kernel quantizer (`magnitudeAwareSign`), else undefined. */
  kernelScales(): Float32Array | undefined {
    return this.kernelQuantizer?.scales?.(this.kernel.value, this.units);
  }

  /** The ±1 signs of the latent kernel, [inputs, units] row-major (sign(0) = +1). */
  binaryWeights(): Float32Array {
    return signsOf(this.kernel.value);
  }

  override params(): Param[] {
    return this.biasParam ? [this.kernel, this.biasParam] : [this.kernel];
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const k = this.inputSize;
    const n = this.units;
    let xq = x;
    if (this.inputQuantizer) {
      xq = this.xq.get(batch * k);
      this.inputQuantizer.forward(x, xq, k);
    }
    const y = this.out.get(batch * n);
    if (this.xnor) {
      // Plain signs: q(W) = sign(W), written by the same pass that packs the bits.
      this.qk!.maxAbs = this.xnor.forward(xq, this.kernel.value, batch, y, this.qk!.effective);
    } else if (this.qk) {
      this.qk.update(this.kernel.value, n);
      gemm(xq, this.qk.product, y, batch, n, k);
      this.qk.scaleOutput(y, n);
    } else gemm(xq, this.kernel.value, y, batch, n, k);
    if (this.biasParam) {
      const b = this.biasParam.value;
      for (let r = 0; r < batch; r++) {
        const o = r * n;
        for (let j = 0; j < n; j++) y[o + j]! += b[j]!;
      }
    }
    this.lastX = x;
    this.lastXq = xq;
    this.lastBatch = batch;
    return y;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    if (!this.lastXq || batch !== this.lastBatch) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${this.name}: backward without a matching forward (batch ${batch})`,
      );
    }
    this.checkGrad(gradOut, batch);
    const k = this.inputSize;
    const n = this.units;
    if (this.biasParam) {
      const gb = this.biasParam.grad;
      gb.fill(0);
      for (let r = 0; r < batch; r++) {
        const o = r * n;
        for (let j = 0; j < n; j++) gb[j]! += gradOut[o + j]!;
      }
    }
    // ∂L/∂q(W) = q(x)ᵀ·∂L/∂y, then through the kernel quantizer's pseudo-gradient, in place.
    const kernel = this.kernel;
    gemm(this.lastXq, gradOut, kernel.grad, k, n, batch, { transA: true });
    if (this.kernelQuantizer && !kernelBackwardIsIdentity(this.kernelQuantizer, this.qk!)) {
      this.kernelQuantizer.backward(kernel.value, kernel.grad, kernel.grad, n);
    }
    if (!needInputGrad) return null;
    const w = this.qk ? this.qk.effective : kernel.value;
    const gx = this.gx.get(batch * k);
    gemm(gradOut, w, gx, batch, k, n, { transB: true });
    if (this.inputQuantizer) this.inputQuantizer.backward(this.lastX!, gx, gx, k);
    return gx;
  }

  override outputBits(): number {
    return 32;
  }

  override cost(inputBits: number): LayerCost {
    const inBits = this.inputQuantizer ? this.inputQuantizer.bits : inputBits;
    const kBits = this.kernelQuantizer ? this.kernelQuantizer.bits : 32;
    const weights = this.inputSize * this.units;
    const bias = this.useBias ? this.units : 0;
    const macs = this.inputSize * this.units;
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

/** A real-valued fully connected layer (Glorot-uniform kernel, zero bias). */
export function dense(units: number, options: Omit<DenseOptions, "kernelQuantizer"> = {}): Dense {
  return new Dense("dense", units, { ...options, kernelQuantizer: null });
}

/**
 * A binary fully connected layer: latent weights U(−1, 1) clipped to [−1, 1], binarized by `steSign`
 * (or the given kernel quantizer) in the forward pass. Add `inputQuantizer: "steSign"` (or a `sign()`
 * layer before it) for binary activations.
 */
export function binaryDense(units: number, options: DenseOptions = {}): Dense {
  return new Dense("binaryDense", units, options);
}
