import { type Quantizer, type QuantizerLike, resolveQuantizer, steSign } from "../quantizers.js";
import { Scratch, type Shape } from "../shape.js";
import { type BuildContext, type ForwardContext, Layer } from "./layer.js";

/** Applies a quantizer as an activation: `sign()` outputs ±1 with the straight-through gradient. */
export class QuantizerActivation extends Layer {
  readonly type = "sign";
  readonly quantizer: Quantizer;
  private readonly out = new Scratch();
  private readonly gx = new Scratch();
  private lastX: Float32Array | undefined;
  private lastBatch = 0;

  constructor(quantizer: Quantizer, name?: string) {
    super(name);
    this.quantizer = quantizer;
  }

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    return inputShape;
  }

  private get channels(): number {
    const s = this.inputShape;
    return s[s.length - 1]!;
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const y = this.out.get(x.length);
    this.quantizer.forward(x, y, this.channels);
    this.lastX = x;
    this.lastBatch = batch;
    return y;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.requireForward(this.lastX, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    if (!needInputGrad) return null;
    const gx = this.gx.get(gradOut.length);
    this.quantizer.backward(this.lastX, gradOut, gx, this.channels);
    return gx;
  }

  override outputBits(): number {
    return this.quantizer.bits;
  }
}

/** Binary activation sign(x) ∈ {−1, +1} (sign(0) = +1), straight-through gradient by default. */
export function sign(options: { quantizer?: QuantizerLike; name?: string } = {}): QuantizerActivation {
  return new QuantizerActivation(resolveQuantizer(options.quantizer) ?? steSign(), options.name);
}

/** Htanh(x) = clip(x, −1, 1), gradient 1{|x| ≤ 1}: the BNN paper's real-valued stand-in for sign. */
export class HardTanh extends Layer {
  readonly type = "hardTanh";
  private readonly out = new Scratch();
  private readonly gx = new Scratch();
  private lastX: Float32Array | undefined;
  private lastBatch = 0;

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    return inputShape;
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const y = this.out.get(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      y[i] = Math.min(1, Math.max(-1, v));
    }
    this.lastX = x;
    this.lastBatch = batch;
    return y;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.requireForward(this.lastX, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    if (!needInputGrad) return null;
    const x = this.lastX;
    const gx = this.gx.get(gradOut.length);
    for (let i = 0; i < gradOut.length; i++) {
      const v = x[i]!;
      gx[i] = v <= 1 && v >= -1 ? gradOut[i]! : 0;
    }
    return gx;
  }
}

export function hardTanh(options: { name?: string } = {}): HardTanh {
  return new HardTanh(options.name);
}
