import { type AvgPool2dParams, avgPool2dBackward, avgPool2d as avgPool2dKernel } from "@onebit/tensor";
import { NnError } from "../errors.js";
import { assertImageShape, positivePair, Scratch, type Shape } from "../shape.js";
import { type BuildContext, type ForwardContext, Layer } from "./layer.js";
import type { MaxPool2dOptions } from "./max-pool2d.js";

/** The same window options as max pooling: `poolSize` (default 2) and `strides` (default: the pool size). */
export type AvgPool2dOptions = MaxPool2dOptions;

/**
 * Average pooling over NHWC windows without padding: the downsampling shortcut of Bi-Real and
 * ReActNet blocks (2×2 average pool, then a 1×1 convolution).
 */
export class AvgPool2d extends Layer {
  readonly type = "avgPool2d";
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  private readonly out = new Scratch();
  private readonly gx = new Scratch();
  private lastBatch = 0;

  constructor(options: AvgPool2dOptions = {}) {
    super(options.name);
    this.poolSize = positivePair(options.poolSize ?? 2, "avgPool2d poolSize");
    this.strides = positivePair(options.strides ?? this.poolSize, "avgPool2d strides");
  }

  private params2d(batch: number): AvgPool2dParams {
    const [h, w, c] = this.inputShape;
    return {
      batch,
      inH: h!,
      inW: w!,
      channels: c!,
      poolH: this.poolSize[0],
      poolW: this.poolSize[1],
      strideH: this.strides[0],
      strideW: this.strides[1],
    };
  }

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    const [h, w, c] = assertImageShape(inputShape, this.name);
    const [ph, pw] = this.poolSize;
    if (h < ph || w < pw) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name}: a ${ph}×${pw} window does not fit a ${h}×${w} input`,
      );
    }
    return [Math.floor((h - ph) / this.strides[0]) + 1, Math.floor((w - pw) / this.strides[1]) + 1, c];
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    this.lastBatch = batch;
    return avgPool2dKernel(x, this.params2d(batch), this.out.get(batch * this.outputSize));
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.requireForward(true, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    if (!needInputGrad) return null;
    return avgPool2dBackward(gradOut, this.params2d(batch), this.gx.get(batch * this.inputSize));
  }
}

/** Mean over all positions per channel: [h, w, c] → [c] (before a classifier head). */
export class GlobalAvgPool2d extends Layer {
  readonly type = "globalAvgPool2d";
  private readonly out = new Scratch();
  private readonly gx = new Scratch();
  private lastBatch = 0;

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    const [, , c] = assertImageShape(inputShape, this.name);
    return [c];
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const c = this.outputSize;
    const positions = this.inputSize / c;
    const y = this.out.get(batch * c).fill(0);
    for (let b = 0; b < batch; b++) {
      const base = b * positions * c;
      for (let p = 0; p < positions; p++) for (let k = 0; k < c; k++) y[b * c + k]! += x[base + p * c + k]!;
    }
    for (let i = 0; i < y.length; i++) y[i]! /= positions;
    this.lastBatch = batch;
    return y;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.requireForward(true, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    if (!needInputGrad) return null;
    const c = this.outputSize;
    const positions = this.inputSize / c;
    const gx = this.gx.get(batch * this.inputSize);
    for (let b = 0; b < batch; b++)
      for (let p = 0; p < positions; p++)
        for (let k = 0; k < c; k++) gx[(b * positions + p) * c + k] = gradOut[b * c + k]! / positions;
    return gx;
  }
}

/** Average pooling, by default 2×2 windows with stride 2. */
export function avgPool2d(options: AvgPool2dOptions = {}): AvgPool2d {
  return new AvgPool2d(options);
}

export function globalAvgPool2d(options: { name?: string } = {}): GlobalAvgPool2d {
  return new GlobalAvgPool2d(options.name);
}
