import { gemm } from "@onebit/tensor";
import { assertPositiveInteger, NnError } from "../errors.js";
import { isPlainSign } from "../quantizers.js";
import { formatShape, Scratch, type Shape } from "../shape.js";
import type { BuildContext, ForwardContext } from "./layer.js";
import { QuantizedLayer, type QuantizedLayerOptions } from "./quantized-layer.js";
import { XnorDense } from "./xnor-dense.js";

export type DenseOptions = QuantizedLayerOptions;

/**
 * Fully connected layer y = q_in(x)·q_k(W) + b with W stored [inputs, units] row-major. With a
 * kernel quantizer it is Larq's QuantDense: the latent weights W are trained, the forward pass uses
 * their quantized (±1) version.
 */
export class Dense extends QuantizedLayer {
  readonly units: number;
  private readonly gx = new Scratch();
  private xnor: XnorDense | undefined;
  private fanIn = 0;

  constructor(type: "dense" | "binaryDense", units: number, options: DenseOptions = {}) {
    super(type, type === "binaryDense", options);
    assertPositiveInteger(units, `${type} units`);
    this.units = units;
  }

  get channels(): number {
    return this.units;
  }

  protected macsPerSample(): number {
    return this.inputSize * this.units;
  }

  protected init(inputShape: Shape, ctx: BuildContext): Shape {
    if (inputShape.length !== 1) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name} needs flat input [features], got ${formatShape(inputShape)}; add flatten() before it`,
      );
    }
    const fanIn = inputShape[0]!;
    this.fanIn = fanIn;
    this.createKernel([fanIn, this.units], fanIn, this.units, ctx.rng);
    if (this.xnorApplies(isPlainSign(this.inputQuantizer))) this.createXnor();
    return [this.units];
  }

  protected override createXnor(): void {
    this.xnor ??= XnorDense.create(this.fanIn, this.units);
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const k = this.inputSize;
    const n = this.units;
    const xq = this.quantizeInput(x, k);
    const y = this.out.get(batch * n);
    if (this.xnor) {
      // Plain signs: q(W) = sign(W), written by the same pass that packs the bits.
      this.qk!.maxAbs = this.xnor.forward(xq, this.kernel.value, batch, y, this.qk!.effective);
    } else if (this.qk) {
      this.qk.update(this.kernel.value, n);
      gemm(xq, this.qk.product, y, batch, n, k);
      this.qk.scaleOutput(y, n);
    } else gemm(xq, this.kernel.value, y, batch, n, k);
    return this.finishForward(y, x, xq, batch);
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.startBackward(gradOut, batch);
    const k = this.inputSize;
    const n = this.units;
    // ∂L/∂q(W) = q(x)ᵀ·∂L/∂y, then through the kernel quantizer's pseudo-gradient, in place.
    const kernel = this.kernel;
    gemm(this.lastXq!, gradOut, kernel.grad, k, n, batch, { transA: true });
    this.setKernelGrad(kernel.grad);
    if (!needInputGrad) return null;
    const gx = this.gx.get(batch * k);
    gemm(gradOut, this.backwardKernel, gx, batch, k, n, { transB: true });
    return this.inputGrad(gx, k);
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
