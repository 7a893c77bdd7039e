import { assertInRange, NnError } from "../errors.js";
import { Scratch, type Shape } from "../shape.js";
import { type BuildContext, type ForwardContext, Layer } from "./layer.js";

/**
 * Inverted dropout: in training mode each value is zeroed with probability `rate` and the rest are
 * scaled by 1/(1 − rate); identity in evaluation mode. Masks come from the training generator
 * (`ForwardContext.rng`), so a seeded run drops the same units every time.
 */
export class Dropout extends Layer {
  readonly type = "dropout";
  readonly rate: number;
  private readonly out = new Scratch();
  private readonly gx = new Scratch();
  private mask = new Uint8Array(0);
  private lastBatch = 0;
  private lastTraining = false;

  constructor(rate: number, name?: string) {
    super(name);
    assertInRange(rate, 0, 1, "dropout rate");
    if (rate >= 1) throw new NnError("INVALID_ARGUMENT", "dropout rate must be < 1");
    this.rate = rate;
  }

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    return inputShape;
  }

  forward(x: Float32Array, batch: number, ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    this.lastBatch = batch;
    this.lastTraining = ctx.training && this.rate > 0;
    if (!this.lastTraining) return x;
    if (!ctx.rng) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${this.name}: training mode needs a seeded rng for dropout masks`,
      );
    }
    const rng = ctx.rng;
    if (this.mask.length < x.length) this.mask = new Uint8Array(x.length);
    const mask = this.mask;
    const y = this.out.get(x.length);
    // Keep when a uniform 32-bit draw is at or above rate·2³²; exact for any rate.
    const cut = this.rate * 4294967296;
    const keepScale = 1 / (1 - this.rate);
    for (let i = 0; i < x.length; i++) {
      const keep = rng.nextUint32() >= cut ? 1 : 0;
      mask[i] = keep;
      y[i] = keep ? x[i]! * keepScale : 0;
    }
    return y;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.requireForward(true, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    if (!needInputGrad) return null;
    if (!this.lastTraining) return gradOut;
    const gx = this.gx.get(gradOut.length);
    const keepScale = 1 / (1 - this.rate);
    for (let i = 0; i < gradOut.length; i++) gx[i] = this.mask[i] ? gradOut[i]! * keepScale : 0;
    return gx;
  }
}

/** Dropout with the given drop probability (seeded; active only in training). */
export function dropout(rate: number, options: { name?: string } = {}): Dropout {
  return new Dropout(rate, options.name);
}
