import { type Conv2dParams, conv2d as conv2dKernel, conv2dBackward } from "@onebit/tensor";
import { type Constraint, weightClip } from "../constraints.js";
import { assertPositiveInteger, NnError } from "../errors.js";
import { glorotLrScale, glorotUniform, uniformLatent } from "../initializers.js";
import { createParam, type Param } from "../param.js";
import { type Quantizer, type QuantizerLike, resolveQuantizer, steSign } from "../quantizers.js";
import { assertImageShape, Scratch, type Shape } from "../shape.js";
import { kernelBackwardIsIdentity, QuantizedKernel, signsOf } from "./quantized-kernel.js";
import { type BuildContext, type ForwardContext, Layer, type LayerCost } from "./layer.js";

export type Padding = "same" | "valid";

export interface Conv2dOptions {
  name?: string;
  /** Stride [vertical, horizontal] or one number for both. Default 1. */
  strides?: number | readonly [number, number];
  /** `'valid'` (default, like Keras) or `'same'` (output ⌈in/stride⌉). */
  padding?: Padding;
  /**
   * Value of the padded border in `'same'` mode: +1 for `binaryConv2d` ("one-padding", so padded
   * positions are ordinary bits in the packed runtime — DESIGN.md), 0 for `conv2d`.
   */
  padValue?: number;
  /** Per-filter bias (default: true for `conv2d`, false for `binaryConv2d`). */
  useBias?: boolean;
  inputQuantizer?: QuantizerLike | null;
  kernelQuantizer?: QuantizerLike | null;
  kernelConstraint?: Constraint | null;
}

function pair(v: number | readonly [number, number], what: string): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  assertPositiveInteger(p[0], `${what}[0]`);
  assertPositiveInteger(p[1], `${what}[1]`);
  return p;
}

/** Output size of one spatial axis (TensorFlow's rule for 'same' and 'valid'). */
export function convOutputSize(input: number, kernel: number, stride: number, padding: Padding): number {
  return padding === "same" ? Math.ceil(input / stride) : Math.floor((input - kernel) / stride) + 1;
}

/**
 * 2-D convolution over NHWC images with a kernel [kh, kw, inChannels, filters]. With a kernel
 * quantizer it is Larq's QuantConv2D: latent weights trained, binarized in the forward pass.
 */
export class Conv2d extends Layer {
  readonly type: string;
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly padValue: number;
  readonly useBias: boolean;
  readonly inputQuantizer: Quantizer | undefined;
  readonly kernelQuantizer: Quantizer | undefined;
  readonly kernelConstraint: Constraint | undefined;
  private kernelParam: Param | undefined;
  private biasParam: Param | undefined;
  private convParams: Conv2dParams | undefined;
  private readonly out = new Scratch();
  private readonly xq = new Scratch();
  private qk: QuantizedKernel | undefined;
  private lastX: Float32Array | undefined;
  private lastXq: Float32Array | undefined;
  private lastBatch = 0;

  constructor(
    type: "conv2d" | "binaryConv2d",
    filters: number,
    kernelSize: number | readonly [number, number],
    options: Conv2dOptions = {},
  ) {
    super(options.name);
    this.type = type;
    assertPositiveInteger(filters, `${type} filters`);
    this.filters = filters;
    this.kernelSize = pair(kernelSize, `${type} kernelSize`);
    this.strides = pair(options.strides ?? 1, `${type} strides`);
    const padding = options.padding ?? "valid";
    if (padding !== "same" && padding !== "valid") {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${type} padding must be "same" or "valid", got ${String(padding)}`,
      );
    }
    this.padding = padding;
    const binary = type === "binaryConv2d";
    this.padValue = options.padValue ?? (binary ? 1 : 0);
    if (!Number.isFinite(this.padValue)) {
      throw new NnError("INVALID_ARGUMENT", `${type} padValue must be finite, got ${this.padValue}`);
    }
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
  }

  protected init(inputShape: Shape, ctx: BuildContext): Shape {
    const [h, w, c] = assertImageShape(inputShape, this.name);
    const [kh, kw] = this.kernelSize;
    const outH = convOutputSize(h, kh, this.strides[0], this.padding);
    const outW = convOutputSize(w, kw, this.strides[1], this.padding);
    if (outH < 1 || outW < 1) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name}: a ${kh}×${kw} '${this.padding}' kernel does not fit a ${h}×${w} input`,
      );
    }
    const n = kh * kw * c * this.filters;
    const fanIn = kh * kw * c;
    const fanOut = kh * kw * this.filters;
    const binary = this.kernelQuantizer !== undefined;
    this.kernelParam = createParam(
      `${this.name}/kernel`,
      [kh, kw, c, this.filters],
      binary ? "binary" : "real",
      binary ? uniformLatent(n, ctx.rng) : glorotUniform(n, fanIn, fanOut, ctx.rng),
      this.kernelConstraint,
      binary ? glorotLrScale(fanIn, fanOut) : 1,
    );
    if (this.useBias) {
      this.biasParam = createParam(
        `${this.name}/bias`,
        [this.filters],
        "real",
        new Float32Array(this.filters),
      );
    }
    if (this.kernelQuantizer) this.qk = new QuantizedKernel(this.kernelQuantizer, n);
    this.convParams = {
      batch: 1,
      inH: h,
      inW: w,
      inC: c,
      outC: this.filters,
      kernelH: kh,
      kernelW: kw,
      strideH: this.strides[0],
      strideW: this.strides[1],
      padding: this.padding,
      padValue: this.padValue,
    };
    return [outH, outW, this.filters];
  }

  get kernel(): Param {
    this.requireBuilt();
    return this.kernelParam!;
  }

  get bias(): Param | undefined {
    return this.biasParam;
  }

  /** The latent (trained) kernel, [kh, kw, inChannels, filters]. */
  get latentWeights(): Float32Array {
    return this.kernel.value;
  }

  /** The kernel as the forward pass uses it (q(W) for binary layers). */
  effectiveWeights(): Float32Array {
    const w = this.kernel.value;
    if (!this.qk) return w.slice();
    this.qk.update(w, this.filters);
    return this.qk.effective.slice();
  }

  /** Per-output-channel scale α of a scaled kernel quantizer (`magnitudeAwareSign`), else undefined. */
  kernelScales(): Float32Array | undefined {
    return this.kernelQuantizer?.scales?.(this.kernel.value, this.filters);
  }

  /** The ±1 signs of the latent kernel, [kh, kw, inChannels, filters] (sign(0) = +1). */
  binaryWeights(): Float32Array {
    return signsOf(this.kernel.value);
  }

  override params(): Param[] {
    return this.biasParam ? [this.kernel, this.biasParam] : [this.kernel];
  }

  private paramsFor(batch: number): Conv2dParams {
    return { ...this.convParams!, batch };
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    let xq = x;
    if (this.inputQuantizer) {
      xq = this.xq.get(x.length);
      this.inputQuantizer.forward(x, xq, this.inputShape[2]!);
    }
    const y = this.out.get(batch * this.outputSize);
    if (this.qk) {
      this.qk.update(this.kernel.value, this.filters);
      conv2dKernel(xq, this.qk.product, this.paramsFor(batch), y);
      this.qk.scaleOutput(y, this.filters);
    } else conv2dKernel(xq, this.kernel.value, this.paramsFor(batch), y);
    if (this.biasParam) {
      const b = this.biasParam.value;
      const f = this.filters;
      for (let i = 0; i < y.length; i += f) {
        for (let j = 0; j < f; j++) y[i + j]! += b[j]!;
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
    const f = this.filters;
    if (this.biasParam) {
      const gb = this.biasParam.grad;
      gb.fill(0);
      for (let i = 0; i < gradOut.length; i += f) {
        for (let j = 0; j < f; j++) gb[j]! += gradOut[i + j]!;
      }
    }
    const kernel = this.kernel;
    const w = this.qk ? this.qk.effective : kernel.value;
    const { gradInput, gradWeights } = conv2dBackward(this.lastXq, w, gradOut, this.paramsFor(batch));
    if (this.kernelQuantizer && !kernelBackwardIsIdentity(this.kernelQuantizer, this.qk!)) {
      this.kernelQuantizer.backward(kernel.value, gradWeights, kernel.grad, f);
    } else kernel.grad.set(gradWeights);
    if (!needInputGrad) return null;
    if (this.inputQuantizer)
      this.inputQuantizer.backward(this.lastX!, gradInput, gradInput, this.inputShape[2]!);
    return gradInput;
  }

  override outputBits(): number {
    return 32;
  }

  override cost(inputBits: number): LayerCost {
    const inBits = this.inputQuantizer ? this.inputQuantizer.bits : inputBits;
    const kBits = this.kernelQuantizer ? this.kernelQuantizer.bits : 32;
    const weights = this.kernel.value.length;
    const bias = this.useBias ? this.filters : 0;
    const [outH, outW] = this.outputShape;
    const macs = outH! * outW! * weights;
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

/** A real-valued 2-D convolution (Glorot-uniform kernel, zero bias, zero padding in 'same' mode). */
export function conv2d(
  filters: number,
  kernelSize: number | readonly [number, number],
  options: Omit<Conv2dOptions, "kernelQuantizer"> = {},
): Conv2d {
  return new Conv2d("conv2d", filters, kernelSize, { ...options, kernelQuantizer: null });
}

/**
 * A binary 2-D convolution: latent kernel U(−1, 1) clipped to [−1, 1], binarized by `steSign` (or the
 * given quantizer); one-padding in 'same' mode.
 */
export function binaryConv2d(
  filters: number,
  kernelSize: number | readonly [number, number],
  options: Conv2dOptions = {},
): Conv2d {
  return new Conv2d("binaryConv2d", filters, kernelSize, options);
}
