import { activeNativeTrainKernels, type NativeTrainKernels, nativeThreads } from "@onebit/tensor";
import { instantiateKernels, type KernelExports, layoutRegions } from "../kernel-module.js";

/**
 * BatchNorm's training passes outside TypeScript: `sums` then `normalize` in forward, `gradSums`
 * then `inputGrad` in backward, bit-identical to the TypeScript loops of batch-norm.ts.
 */
export interface BatchNormPasses {
  /** sum[j] = Σ x, sumSq[j] = Σ x² per channel (float64); keeps x for `normalize`. */
  sums(x: Float32Array, sum: Float64Array, sumSq: Float64Array): void;
  /** y = γ·(x − mean)·invStd + β for the x of the last `sums`; x̂ kept for `backward`. */
  normalize(
    mean: Float64Array,
    invStd: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
  ): void;
  /** sumG[j] = Σ g, sumGH[j] = Σ g·x̂ (float64) against the x̂ of the last `normalize`. */
  gradSums(gradOut: Float32Array, sumG: Float64Array, sumGH: Float64Array): void;
  /** gx = γ·invStd·(g − meanG − x̂·meanGH) for the g of the last `gradSums`. */
  inputGrad(
    gamma: Float32Array,
    invStd: Float32Array,
    meanG: Float64Array,
    meanGH: Float64Array,
    gx: Float32Array,
  ): void;
}

/** The passes for `c` channels: native (Node.js with @onebit/native), else WebAssembly, else undefined. */
export function batchNormPasses(c: number): BatchNormPasses | undefined {
  return NativeBatchNormKernel.create(c) ?? BatchNormKernel.create(c);
}

/**
 * BatchNorm's training passes on @onebit/native's kernels (registered by `@onebit/tensor/node`),
 * on the layer's own arrays: nothing is copied.
 */
export class NativeBatchNormKernel implements BatchNormPasses {
  private x: Float32Array = new Float32Array(0);
  private g: Float32Array = new Float32Array(0);
  private xhat = new Float32Array(0);

  private constructor(
    private readonly k: NativeTrainKernels,
    private readonly c: number,
  ) {}

  /** A kernel for `c` channels, or undefined where the native kernels are not active. */
  static create(c: number): NativeBatchNormKernel | undefined {
    const k = activeNativeTrainKernels();
    return k ? new NativeBatchNormKernel(k, c) : undefined;
  }

  sums(x: Float32Array, sum: Float64Array, sumSq: Float64Array): void {
    this.x = x;
    this.k.channelSumsF64(x, x, x.length / this.c, this.c, sum, sumSq, nativeThreads());
  }

  normalize(
    mean: Float64Array,
    invStd: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
  ): void {
    const n = this.x.length;
    if (this.xhat.length !== n) this.xhat = new Float32Array(n);
    this.k.batchNormF32(this.x, n / this.c, this.c, mean, invStd, gamma, beta, this.xhat, y, nativeThreads());
  }

  gradSums(gradOut: Float32Array, sumG: Float64Array, sumGH: Float64Array): void {
    this.g = gradOut;
    this.k.channelSumsF64(gradOut, this.xhat, gradOut.length / this.c, this.c, sumG, sumGH, nativeThreads());
  }

  inputGrad(
    gamma: Float32Array,
    invStd: Float32Array,
    meanG: Float64Array,
    meanGH: Float64Array,
    gx: Float32Array,
  ): void {
    const g = this.g;
    this.k.batchNormBackwardF32(
      g,
      this.xhat,
      g.length / this.c,
      this.c,
      gamma,
      invStd,
      meanG,
      meanGH,
      gx,
      nativeThreads(),
    );
  }
}

/**
 * BatchNorm's training passes on the WebAssembly f64x2 kernels (assembly/batch-norm.ts), one module
 * instance per layer: x̂ stays in its memory from forward to backward. The kernels repeat the
 * TypeScript loops' float64 operations in the same order, so results are bit-identical.
 */
export class BatchNormKernel implements BatchNormPasses {
  private x = 0;
  private y = 0;
  private xhat = 0;
  private g = 0;
  private gx = 0;
  private acc = 0;
  private acc2 = 0;
  private mean = 0;
  private mean2 = 0;
  private invStd = 0;
  private gamma = 0;
  private beta = 0;
  private size = -1;

  private constructor(
    private readonly k: KernelExports,
    private readonly c: number,
  ) {}

  /** A kernel for `c` channels, or undefined where WebAssembly SIMD is unavailable. */
  static create(c: number): BatchNormKernel | undefined {
    const k = instantiateKernels();
    return k ? new BatchNormKernel(k, c) : undefined;
  }

  private ensure(n: number): void {
    if (n === this.size) return;
    const c = this.c;
    [
      this.x,
      this.y,
      this.xhat,
      this.g,
      this.gx,
      this.acc,
      this.acc2,
      this.mean,
      this.mean2,
      this.invStd,
      this.gamma,
      this.beta,
    ] = layoutRegions(this.k, [
      n * 4,
      n * 4,
      n * 4,
      n * 4,
      n * 4,
      c * 8,
      c * 8,
      c * 8,
      c * 8,
      c * 4,
      c * 4,
      c * 4,
    ]) as [number, number, number, number, number, number, number, number, number, number, number, number];
    this.size = n;
  }

  private f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, offset, length);
  }

  private f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, offset, length);
  }

  /** sum[j] = Σ x, sumSq[j] = Σ x² per channel (float64); keeps x for `normalize`. */
  sums(x: Float32Array, sum: Float64Array, sumSq: Float64Array): void {
    this.ensure(x.length);
    this.f32(this.x, x.length).set(x);
    this.k.channelSums(this.x, this.x, x.length / this.c, this.c, this.acc, this.acc2);
    sum.set(this.f64(this.acc, this.c));
    sumSq.set(this.f64(this.acc2, this.c));
  }

  /** y = γ·(x − mean)·invStd + β for the x of the last `sums`; x̂ kept for `backward`. */
  normalize(
    mean: Float64Array,
    invStd: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
  ): void {
    const c = this.c;
    this.f64(this.mean, c).set(mean);
    this.f32(this.invStd, c).set(invStd);
    this.f32(this.gamma, c).set(gamma);
    this.f32(this.beta, c).set(beta);
    const n = this.size;
    this.k.normalize(this.x, n / c, c, this.mean, this.invStd, this.gamma, this.beta, this.xhat, this.y);
    y.set(this.f32(this.y, n));
  }

  /** sumG[j] = Σ g, sumGH[j] = Σ g·x̂ (float64) against the x̂ of the last `normalize`. */
  gradSums(gradOut: Float32Array, sumG: Float64Array, sumGH: Float64Array): void {
    const n = this.size;
    this.f32(this.g, n).set(gradOut);
    this.k.channelSums(this.g, this.xhat, n / this.c, this.c, this.acc, this.acc2);
    sumG.set(this.f64(this.acc, this.c));
    sumGH.set(this.f64(this.acc2, this.c));
  }

  /** gx = γ·invStd·(g − meanG − x̂·meanGH) for the g of the last `gradSums`. */
  inputGrad(
    gamma: Float32Array,
    invStd: Float32Array,
    meanG: Float64Array,
    meanGH: Float64Array,
    gx: Float32Array,
  ): void {
    const c = this.c;
    const n = this.size;
    this.f32(this.gamma, c).set(gamma);
    this.f32(this.invStd, c).set(invStd);
    this.f64(this.mean, c).set(meanG);
    this.f64(this.mean2, c).set(meanGH);
    this.k.normalizeBackward(
      this.g,
      this.xhat,
      n / c,
      c,
      this.gamma,
      this.invStd,
      this.mean,
      this.mean2,
      this.gx,
    );
    gx.set(this.f32(this.gx, n));
  }
}
