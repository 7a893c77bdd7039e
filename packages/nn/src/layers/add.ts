import { NnError } from "../errors.js";
import { formatShape, Scratch, type Shape } from "../shape.js";
import type { ForwardContext } from "./layer.js";
import { MergeLayer } from "./merge-layer.js";

/** y = x₁ + x₂ + … for inputs of one shape: the real-valued shortcut of residual blocks. */
export class Add extends MergeLayer {
  readonly type = "add";
  private readonly out = new Scratch();

  protected initMerge(shapes: readonly Shape[]): Shape {
    const first = formatShape(shapes[0]!);
    for (const s of shapes) {
      if (formatShape(s) !== first) {
        throw new NnError(
          "SHAPE_MISMATCH",
          `${this.name}: inputs of shapes ${shapes.map((x) => formatShape(x)).join(", ")} cannot be added`,
        );
      }
    }
    return shapes[0]!;
  }

  forwardMany(xs: readonly Float32Array[], batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInputs(xs, batch);
    const y = this.out.get(xs[0]!.length);
    y.set(xs[0]!);
    for (let k = 1; k < xs.length; k++) {
      const x = xs[k]!;
      for (let i = 0; i < y.length; i++) y[i]! += x[i]!;
    }
    return y;
  }

  backwardMany(gradOut: Float32Array, batch: number, need: readonly boolean[]): (Float32Array | null)[] {
    this.checkGrad(gradOut, batch);
    // ∂y/∂xᵢ = 1: every input receives the output gradient (the graph copies before accumulating).
    return need.map((n) => (n ? gradOut : null));
  }
}

/** Adds its inputs element-wise (all of one shape). */
export function add(options: { name?: string } = {}): Add {
  return new Add(options.name);
}
