import type { Shape } from "../shape.js";
import { sizeOf } from "../shape.js";
import { type BuildContext, type ForwardContext, Layer } from "./layer.js";

/** [h, w, c] → [h·w·c]. Row-major NHWC data is already flat, so this only changes the shape. */
export class Flatten extends Layer {
  readonly type = "flatten";

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    return [sizeOf(inputShape)];
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    return x;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.checkGrad(gradOut, batch);
    return needInputGrad ? gradOut : null;
  }
}

export function flatten(options: { name?: string } = {}): Flatten {
  return new Flatten(options.name);
}
