import { type Conv2dParams, conv2d as conv2dKernel, conv2dBackward } from "@onebit/tensor";
import { assertPositiveInteger, NnError } from "../errors.js";
import { assertImageShape, positivePair, type Shape } from "../shape.js";
import type { BuildContext, ForwardContext } from "./layer.js";
import { isPlainSign } from "../quantizers.js";
import { QuantizedLayer, type QuantizedLayerOptions } from "./quantized-layer.js";
import { XnorConv2d } from "./xnor-conv2d.js";

export type Padding = "same" | "valid";

export interface Conv2dOptions extends QuantizedLayerOptions {
  /** Stride [vertical, horizontal] or one number for both. Default 1. */
  strides?: number | readonly [number, number];
  /** `'valid'` (default, like Keras) or `'same'` (output ⌈in/stride⌉). */
  padding?: Padding;
  /**
   * Value of the padded border in `'same'` mode: +1 for `binaryConv2d` ("one-padding", so padded
   * positions are ordinary bits in the packed runtime — DESIGN.md), 0 for `conv2d`.
   */
  padValue?: number;
}

/** A convolution's padding mode (default 'valid') and finite pad value, checked. */
export function checkPadding(
  type: string,
  padding: Padding | undefined,
  padValue: number,
): [Padding, number] {
  const mode = padding ?? "valid";
  if (mode !== "same" && mode !== "valid") {
    throw new NnError("INVALID_ARGUMENT", `${type} padding must be "same" or "valid", got ${String(mode)}`);
  }
  if (!Number.isFinite(padValue)) {
    throw new NnError("INVALID_ARGUMENT", `${type} padValue must be finite, got ${padValue}`);
  }
  return [mode, padValue];
}

/** Output size of one spatial axis (TensorFlow's rule for 'same' and 'valid'). */
export function convOutputSize(input: number, kernel: number, stride: number, padding: Padding): number {
  return padding === "same" ? Math.ceil(input / stride) : Math.floor((input - kernel) / stride) + 1;
}

/**
 * 2-D convolution over NHWC images with a kernel [kh, kw, inChannels, filters]. With a kernel
 * quantizer it is Larq's QuantConv2D: latent weights trained, binarized in the forward pass.
 */
export class Conv2d extends QuantizedLayer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly padValue: number;
  private convParams: Conv2dParams | undefined;
  private xnor: XnorConv2d | undefined;

  constructor(
    type: "conv2d" | "binaryConv2d",
    filters: number,
    kernelSize: number | readonly [number, number],
    options: Conv2dOptions = {},
  ) {
    super(type, type === "binaryConv2d", options);
    assertPositiveInteger(filters, `${type} filters`);
    this.filters = filters;
    this.kernelSize = positivePair(kernelSize, `${type} kernelSize`);
    this.strides = positivePair(options.strides ?? 1, `${type} strides`);
    [this.padding, this.padValue] = checkPadding(
      type,
      options.padding,
      options.padValue ?? (type === "binaryConv2d" ? 1 : 0),
    );
  }

  get channels(): number {
    return this.filters;
  }

  protected macsPerSample(): number {
    const [outH, outW] = this.outputShape;
    return outH! * outW! * this.kernel.value.length;
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
    this.createKernel([kh, kw, c, this.filters], kh * kw * c, kh * kw * this.filters, ctx.rng);
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
    if (this.xnorApplies(isPlainSign(this.inputQuantizer))) this.createXnor();
    return [outH, outW, this.filters];
  }

  protected override createXnor(): void {
    this.xnor ??= XnorConv2d.create(this.convParams!);
  }

  private paramsFor(batch: number): Conv2dParams {
    return { ...this.convParams!, batch };
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const xq = this.quantizeInput(x, this.inputShape[2]!);
    const y = this.out.get(batch * this.outputSize);
    if (this.xnor) {
      // Plain signs: q(W) = sign(W), the ±1 kernel the packed product and backward both use.
      this.qk!.update(this.kernel.value, this.filters);
      this.xnor.forward(xq, this.qk!.effective, batch, y);
    } else if (this.qk) {
      this.qk.update(this.kernel.value, this.filters);
      conv2dKernel(xq, this.qk.product, this.paramsFor(batch), y);
      this.qk.scaleOutput(y, this.filters);
    } else conv2dKernel(xq, this.kernel.value, this.paramsFor(batch), y);
    return this.finishForward(y, x, xq, batch);
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.startBackward(gradOut, batch);
    const { gradInput, gradWeights } = conv2dBackward(
      this.lastXq!,
      this.backwardKernel,
      gradOut,
      this.paramsFor(batch),
      { inputGrad: needInputGrad },
    );
    this.setKernelGrad(gradWeights);
    if (!needInputGrad) return null;
    return this.inputGrad(gradInput, this.inputShape[2]!);
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
