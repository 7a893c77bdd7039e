import { assertInRange, NnError } from "../errors.js";
import { createParam, type Param } from "../param.js";
import { Scratch, type Shape } from "../shape.js";
import { type BatchNormPasses, batchNormPasses } from "./batch-norm-kernel.js";
import { type BuildContext, type ForwardContext, Layer, type LayerCost } from "./layer.js";

export interface BatchNormOptions {
  name?: string;
  /** Running statistics: running = momentum·running + (1 − momentum)·batch. Default 0.99 (Keras). */
  momentum?: number;
  /** Added to the variance. Default 1e-3 (Keras); the BNN paper used 1e-4. */
  epsilon?: number;
  /** Learn a per-channel scale γ (default true; false fixes γ = 1). */
  scale?: boolean;
  /** Learn a per-channel offset β (default true; false fixes β = 0). */
  center?: boolean;
}

/**
 * Batch normalization over the last axis: per feature for [batch, features], per channel for NHWC
 * images. Training mode normalizes with the batch's mean and (biased) variance and updates the
 * running statistics; evaluation mode uses the running statistics.
 */
export class BatchNorm extends Layer {
  readonly type = "batchNorm";
  readonly momentum: number;
  readonly epsilon: number;
  readonly scale: boolean;
  readonly center: boolean;
  private gammaParam: Param | undefined;
  private betaParam: Param | undefined;
  /** Running mean per channel. */
  movingMean = new Float32Array(0);
  /** Running (biased) variance per channel. */
  movingVariance = new Float32Array(0);
  private readonly out = new Scratch();
  private readonly gx = new Scratch();
  private readonly xhat = new Scratch();
  private invStd = new Float32Array(0);
  private sigma = new Float32Array(0);
  private ones = new Float32Array(0);
  private zeros = new Float32Array(0);
  private mean = new Float64Array(0);
  private acc = new Float64Array(0);
  private acc2 = new Float64Array(0);
  private lastBatch = 0;
  private lastX: Float32Array | undefined;
  private lastTraining = false;
  /** Native or WebAssembly training passes (undefined: TypeScript loops). */
  private kernel: BatchNormPasses | undefined;

  constructor(options: BatchNormOptions = {}) {
    super(options.name);
    this.momentum = options.momentum ?? 0.99;
    this.epsilon = options.epsilon ?? 1e-3;
    assertInRange(this.momentum, 0, 1, "batchNorm momentum");
    assertInRange(this.epsilon, 0, Number.MAX_VALUE, "batchNorm epsilon");
    if (this.epsilon <= 0) throw new NnError("INVALID_ARGUMENT", "batchNorm epsilon must be > 0");
    this.scale = options.scale ?? true;
    this.center = options.center ?? true;
  }

  /** Channels (the size of the last axis). */
  get channels(): number {
    const s = this.inputShape;
    return s[s.length - 1]!;
  }

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    const c = inputShape[inputShape.length - 1]!;
    if (this.scale)
      this.gammaParam = createParam(`${this.name}/gamma`, [c], "real", new Float32Array(c).fill(1));
    if (this.center) this.betaParam = createParam(`${this.name}/beta`, [c], "real", new Float32Array(c));
    this.movingMean = new Float32Array(c);
    this.movingVariance = new Float32Array(c).fill(1);
    this.invStd = new Float32Array(c);
    this.sigma = new Float32Array(c);
    this.ones = new Float32Array(c).fill(1);
    this.zeros = new Float32Array(c);
    this.mean = new Float64Array(c);
    this.acc = new Float64Array(c);
    this.acc2 = new Float64Array(c);
    this.kernel = batchNormPasses(c);
    return inputShape;
  }

  /** γ per channel (ones when `scale` is false). */
  get gamma(): Float32Array {
    return this.gammaParam?.value ?? this.ones;
  }

  /** β per channel (zeros when `center` is false). */
  get beta(): Float32Array {
    return this.betaParam?.value ?? this.zeros;
  }

  override params(): Param[] {
    const p: Param[] = [];
    if (this.gammaParam) p.push(this.gammaParam);
    if (this.betaParam) p.push(this.betaParam);
    return p;
  }

  override stateTensors(): Record<string, Float32Array> {
    return { moving_mean: this.movingMean, moving_variance: this.movingVariance };
  }

  forward(x: Float32Array, batch: number, ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const c = this.channels;
    const y = this.out.get(x.length);
    const gamma = this.gamma;
    const beta = this.beta;
    const invStd = this.invStd;
    this.lastBatch = batch;
    this.lastTraining = ctx.training;
    if (!ctx.training) {
      // Every operation rounded to float32 in the order of @onebit/format's `batchNormSign`, so
      // folded thresholds reproduce these signs exactly.
      const f = Math.fround;
      const eps = f(this.epsilon);
      const sigma = this.sigma;
      for (let j = 0; j < c; j++) {
        sigma[j] = Math.sqrt(f(this.movingVariance[j]! + eps));
        invStd[j] = 1 / sigma[j]!;
      }
      const mm = this.movingMean;
      this.lastX = x;
      for (let i = 0; i < x.length; i += c) {
        for (let j = 0; j < c; j++) y[i + j] = f(gamma[j]! * f(f(x[i + j]! - mm[j]!) / sigma[j]!)) + beta[j]!;
      }
      return y;
    }
    const rows = x.length / c;
    // Sums of x and x² in one float64 pass: the variance E[x²] − E[x]² keeps ~1e-16 relative
    // precision, far below float32 resolution for the magnitudes layers produce.
    const mean = this.mean;
    const acc = this.acc;
    const acc2 = this.acc2;
    const kernel = this.kernel;
    if (kernel) kernel.sums(x, acc, acc2);
    else {
      acc.fill(0);
      acc2.fill(0);
      for (let i = 0; i < x.length; i += c) {
        for (let j = 0; j < c; j++) {
          const v = x[i + j]!;
          acc[j]! += v;
          acc2[j]! += v * v;
        }
      }
    }
    const m = this.momentum;
    for (let j = 0; j < c; j++) {
      mean[j] = acc[j]! / rows;
      const variance = Math.max(0, acc2[j]! / rows - mean[j]! * mean[j]!);
      invStd[j] = 1 / Math.sqrt(variance + this.epsilon);
      this.movingMean[j] = m * this.movingMean[j]! + (1 - m) * mean[j]!;
      this.movingVariance[j] = m * this.movingVariance[j]! + (1 - m) * variance;
    }
    if (kernel) {
      kernel.normalize(mean, invStd, gamma, beta, y);
      return y;
    }
    const xhat = this.xhat.get(x.length);
    for (let i = 0; i < x.length; i += c) {
      for (let j = 0; j < c; j++) {
        const h = (x[i + j]! - mean[j]!) * invStd[j]!;
        xhat[i + j] = h;
        y[i + j] = gamma[j]! * h + beta[j]!;
      }
    }
    return y;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.requireForward(true, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    const c = this.channels;
    const gamma = this.gamma;
    const invStd = this.invStd;
    if (!this.lastTraining) {
      // Evaluation mode is a fixed affine map per channel (running statistics are constants).
      const x = this.lastX!;
      const mm = this.movingMean;
      const sumG = this.acc;
      const sumGH = this.acc2;
      sumG.fill(0);
      sumGH.fill(0);
      for (let i = 0; i < gradOut.length; i += c) {
        for (let j = 0; j < c; j++) {
          const g = gradOut[i + j]!;
          sumG[j]! += g;
          sumGH[j]! += g * (x[i + j]! - mm[j]!) * invStd[j]!;
        }
      }
      if (this.gammaParam) for (let j = 0; j < c; j++) this.gammaParam.grad[j] = sumGH[j]!;
      if (this.betaParam) for (let j = 0; j < c; j++) this.betaParam.grad[j] = sumG[j]!;
      if (!needInputGrad) return null;
      const gx = this.gx.get(gradOut.length);
      for (let i = 0; i < gradOut.length; i += c) {
        for (let j = 0; j < c; j++) gx[i + j] = gradOut[i + j]! * gamma[j]! * invStd[j]!;
      }
      return gx;
    }
    const kernel = this.kernel;
    const xhat = this.xhat.get(gradOut.length);
    const sumG = this.acc;
    const sumGH = this.acc2;
    if (kernel) kernel.gradSums(gradOut, sumG, sumGH);
    else {
      sumG.fill(0);
      sumGH.fill(0);
      for (let i = 0; i < gradOut.length; i += c) {
        for (let j = 0; j < c; j++) {
          const g = gradOut[i + j]!;
          sumG[j]! += g;
          sumGH[j]! += g * xhat[i + j]!;
        }
      }
    }
    if (this.gammaParam) for (let j = 0; j < c; j++) this.gammaParam.grad[j] = sumGH[j]!;
    if (this.betaParam) for (let j = 0; j < c; j++) this.betaParam.grad[j] = sumG[j]!;
    if (!needInputGrad) return null;
    // ∂L/∂x = γ/σ · (g − mean(g) − x̂·mean(g·x̂)), per channel over the batch (and positions).
    const rows = gradOut.length / c;
    const mean = this.mean;
    const acc = this.acc2;
    for (let j = 0; j < c; j++) {
      mean[j] = sumG[j]! / rows;
      acc[j] = sumGH[j]! / rows;
    }
    const gx = this.gx.get(gradOut.length);
    if (kernel) {
      kernel.inputGrad(gamma, invStd, mean, acc, gx);
      return gx;
    }
    for (let i = 0; i < gradOut.length; i += c) {
      for (let j = 0; j < c; j++) {
        gx[i + j] = gamma[j]! * invStd[j]! * (gradOut[i + j]! - mean[j]! - xhat[i + j]! * acc[j]!);
      }
    }
    return gx;
  }

  override cost(): LayerCost {
    const c = this.channels;
    // γ, β and the two running statistics, all float32 (Larq counts non-trainable weights too).
    const n = (this.scale ? c : 0) + (this.center ? c : 0) + 2 * c;
    return { inputPrecision: null, params1bit: 0, params32bit: n, macs1bit: 0, macs32bit: 0 };
  }

  override outputBits(): number {
    return 32;
  }
}

/** Batch normalization over the last axis (1-D features or NHWC channels). */
export function batchNorm(options: BatchNormOptions = {}): BatchNorm {
  return new BatchNorm(options);
}
