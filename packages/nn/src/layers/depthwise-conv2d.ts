import {
  type DepthwiseConv2dParams,
  depthwiseConv2d as depthwiseKernel,
  depthwiseConv2dBackward,
} from "@onebit/tensor";
import { NnError } from "../errors.js";
import { assertImageShape, positivePair, type Shape } from "../shape.js";
import { checkPadding, convOutputSize, type Padding } from "./conv2d.js";
import type { BuildContext, ForwardContext } from "./layer.js";
import { QuantizedLayer, type QuantizedLayerOptions } from "./quantized-layer.js";

export interface DepthwiseConv2dOptions extends QuantizedLayerOptions {
  strides?: number | readonly [number, number];
  /** `'valid'` (default) or `'same'`. */
  padding?: Padding;
  /** Value of the padded border in `'same'` mode (default 0). */
  padValue?: number;
}

/**
 * Depthwise 2-D convolution over NHWC images: one kh×kw filter per channel (depth multiplier 1),
 * kernel [kh, kw, channels]; real-valued unless given a kernel quantizer.
 */
export class DepthwiseConv2d extends QuantizedLayer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly padValue: number;
  private geometry: DepthwiseConv2dParams | undefined;
  private inputChannels = 0;

  constructor(kernelSize: number | readonly [number, number], options: DepthwiseConv2dOptions = {}) {
    super("depthwiseConv2d", false, options);
    this.kernelSize = positivePair(kernelSize, "depthwiseConv2d kernelSize");
    this.strides = positivePair(options.strides ?? 1, "depthwiseConv2d strides");
    [this.padding, this.padValue] = checkPadding("depthwiseConv2d", options.padding, options.padValue ?? 0);
  }

  /** Input channels, which are also the output channels (set while building). */
  get channels(): number {
    return this.inputChannels;
  }

  protected macsPerSample(): number {
    const [outH, outW] = this.outputShape;
    return outH! * outW! * this.kernel.value.length;
  }

  protected init(inputShape: Shape, ctx: BuildContext): Shape {
    const [h, w, c] = assertImageShape(inputShape, this.name);
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.strides;
    const outH = convOutputSize(h, kh, sh, this.padding);
    const outW = convOutputSize(w, kw, sw, this.padding);
    if (outH < 1 || outW < 1) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name}: a ${kh}×${kw} '${this.padding}' kernel does not fit a ${h}×${w} input`,
      );
    }
    this.geometry = {
      batch: 1,
      inH: h,
      inW: w,
      channels: c,
      kernelH: kh,
      kernelW: kw,
      strideH: sh,
      strideW: sw,
      padding: this.padding,
      padValue: this.padValue,
    };
    this.inputChannels = c;
    this.createKernel([kh, kw, c], kh * kw, kh * kw, ctx.rng);
    return [outH, outW, c];
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const xq = this.quantizeInput(x, this.inputChannels);
    const p = { ...this.geometry!, batch };
    const y = this.out.get(batch * this.outputSize);
    if (this.qk) {
      this.qk.update(this.kernel.value, this.inputChannels);
      depthwiseKernel(xq, this.qk.product, p, y);
      this.qk.scaleOutput(y, this.inputChannels);
    } else depthwiseKernel(xq, this.kernel.value, p, y);
    return this.finishForward(y, x, xq, batch);
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.startBackward(gradOut, batch);
    const p = { ...this.geometry!, batch };
    const { gradInput, gradKernel } = depthwiseConv2dBackward(this.lastXq!, this.backwardKernel, gradOut, p);
    this.setKernelGrad(gradKernel);
    if (!needInputGrad) return null;
    return this.inputGrad(gradInput, this.inputChannels);
  }
}

/** A real-valued depthwise convolution (Glorot-uniform kernel, zero bias, zero padding in 'same' mode). */
export function depthwiseConv2d(
  kernelSize: number | readonly [number, number],
  options: DepthwiseConv2dOptions = {},
): DepthwiseConv2d {
  return new DepthwiseConv2d(kernelSize, options);
}
