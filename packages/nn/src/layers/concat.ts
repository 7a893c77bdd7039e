import { NnError } from "../errors.js";
import { formatShape, Scratch, type Shape } from "../shape.js";
import type { ForwardContext } from "./layer.js";
import { MergeLayer } from "./merge-layer.js";

/** Joins its inputs along the last (channel) axis; the other axes must agree. */
export class Concat extends MergeLayer {
  readonly type = "concat";
  private readonly out = new Scratch();
  private readonly grads: Scratch[] = [];
  private widths: number[] = [];

  protected initMerge(shapes: readonly Shape[]): Shape {
    const lead = (s: Shape) => formatShape(s.slice(0, -1));
    for (const s of shapes) {
      if (s.length !== shapes[0]!.length || lead(s) !== lead(shapes[0]!)) {
        throw new NnError(
          "SHAPE_MISMATCH",
          `${this.name}: inputs of shapes ${shapes.map((x) => formatShape(x)).join(", ")} differ before the last axis`,
        );
      }
    }
    this.widths = shapes.map((s) => s[s.length - 1]!);
    for (let i = 0; i < shapes.length; i++) this.grads.push(new Scratch());
    const total = this.widths.reduce((a, b) => a + b, 0);
    return [...shapes[0]!.slice(0, -1), total];
  }

  forwardMany(xs: readonly Float32Array[], batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInputs(xs, batch);
    const total = this.widths.reduce((a, b) => a + b, 0);
    const rows = xs[0]!.length / this.widths[0]!;
    const y = this.out.get(rows * total);
    let offset = 0;
    xs.forEach((x, k) => {
      const w = this.widths[k]!;
      for (let r = 0; r < rows; r++) y.set(x.subarray(r * w, (r + 1) * w), r * total + offset);
      offset += w;
    });
    return y;
  }

  backwardMany(gradOut: Float32Array, batch: number, need: readonly boolean[]): (Float32Array | null)[] {
    this.checkGrad(gradOut, batch);
    const total = this.widths.reduce((a, b) => a + b, 0);
    const rows = gradOut.length / total;
    let offset = 0;
    return this.widths.map((w, k) => {
      const start = offset;
      offset += w;
      if (!need[k]) return null;
      const g = this.grads[k]!.get(rows * w);
      for (let r = 0; r < rows; r++) g.set(gradOut.subarray(r * total + start, r * total + start + w), r * w);
      return g;
    });
  }
}

/** Concatenates its inputs along the channel (last) axis. */
export function concat(options: { name?: string } = {}): Concat {
  return new Concat(options.name);
}
