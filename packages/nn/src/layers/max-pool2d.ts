import { maxPool2d as maxPoolKernel, maxPool2dBackward } from "@onebit/tensor";
import { assertPositiveInteger, NnError } from "../errors.js";
import { assertImageShape, Scratch, type Shape } from "../shape.js";
import { type BuildContext, type ForwardContext, Layer } from "./layer.js";

export interface MaxPool2dOptions {
  name?: string;
  /** Window [height, width] or one number for both. Default 2. */
  poolSize?: number | readonly [number, number];
  /** Stride; defaults to the pool size (non-overlapping windows). */
  strides?: number | readonly [number, number];
}

/** Max pooling over NHWC images, 'valid' windows. Of ±1 values it is an OR, so it stays binary. */
export class MaxPool2d extends Layer {
  readonly type = "maxPool2d";
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  private argmax: Int32Array | undefined;
  private lastBatch = 0;
  private readonly gx = new Scratch();

  constructor(options: MaxPool2dOptions = {}) {
    super(options.name);
    const p = options.poolSize ?? 2;
    this.poolSize = typeof p === "number" ? [p, p] : [p[0], p[1]];
    const s = options.strides ?? this.poolSize;
    this.strides = typeof s === "number" ? [s, s] : [s[0], s[1]];
    for (const [v, what] of [
      [this.poolSize[0], "maxPool2d poolSize[0]"],
      [this.poolSize[1], "maxPool2d poolSize[1]"],
      [this.strides[0], "maxPool2d strides[0]"],
      [this.strides[1], "maxPool2d strides[1]"],
    ] as const) {
      assertPositiveInteger(v, what);
    }
  }

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    const [h, w, c] = assertImageShape(inputShape, this.name);
    const outH = Math.floor((h - this.poolSize[0]) / this.strides[0]) + 1;
    const outW = Math.floor((w - this.poolSize[1]) / this.strides[1]) + 1;
    if (outH < 1 || outW < 1) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name}: a ${this.poolSize[0]}×${this.poolSize[1]} window does not fit a ${h}×${w} input`,
      );
    }
    return [outH, outW, c];
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const [h, w, c] = this.inputShape as [number, number, number];
    const r = maxPoolKernel(x, {
      batch,
      inH: h,
      inW: w,
      channels: c,
      poolH: this.poolSize[0],
      poolW: this.poolSize[1],
      strideH: this.strides[0],
      strideW: this.strides[1],
    });
    this.argmax = r.argmax;
    this.lastBatch = batch;
    return r.output;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.requireForward(this.argmax, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    if (!needInputGrad) return null;
    // Each image's maxima lie in that image: the native kernel splits the batch among threads.
    const n = batch * this.inputSize;
    return maxPool2dBackward(gradOut, this.argmax, n, batch, this.gx.get(n));
  }
}

/** Max pooling (default 2×2, stride = pool size). */
export function maxPool2d(options: MaxPool2dOptions = {}): MaxPool2d {
  return new MaxPool2d(options);
}
