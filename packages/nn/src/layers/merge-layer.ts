import { NnError } from "../errors.js";
import { applyLayer, type SymbolicTensor } from "../graph/symbolic.js";
import type { Shape } from "../shape.js";
import { type BuildContext, type ForwardContext, Layer } from "./layer.js";

/**
 * A layer over several inputs of a graph model (add, concat). Its single-input `forward` and
 * `backward` are refused; the graph calls `forwardMany` and `backwardMany`.
 */
export abstract class MergeLayer extends Layer {
  private mergeShapes: Shape[] = [];

  /** The per-sample shapes of the inputs (after build). */
  get inputShapes(): readonly Shape[] {
    this.requireBuilt();
    return this.mergeShapes;
  }

  /** Builds for these input shapes; returns the output shape. */
  buildMerge(shapes: readonly Shape[], ctx: BuildContext): Shape {
    this.mergeShapes = shapes.map((s) => [...s]);
    return this.build(shapes[0]!, ctx);
  }

  protected init(_first: Shape, ctx: BuildContext): Shape {
    return this.initMerge(this.mergeShapes, ctx);
  }

  protected abstract initMerge(shapes: readonly Shape[], ctx: BuildContext): Shape;

  /** Combines `batch` samples of every input; returns a view of the layer's own buffer. */
  abstract forwardMany(xs: readonly Float32Array[], batch: number, ctx: ForwardContext): Float32Array;

  /** ∂loss/∂input for each input (null where `needInputGrad[i]` is false). */
  abstract backwardMany(
    gradOut: Float32Array,
    batch: number,
    needInputGrad: readonly boolean[],
  ): (Float32Array | null)[];

  /** Merges two or more values of a graph under construction. */
  override apply(...inputs: SymbolicTensor[]): SymbolicTensor {
    return applyLayer(this, inputs, "many");
  }

  forward(): Float32Array {
    throw new NnError("INVALID_ARGUMENT", `${this.name} merges several inputs: apply it in a graph model`);
  }

  backward(): Float32Array | null {
    throw new NnError("INVALID_ARGUMENT", `${this.name} merges several inputs: apply it in a graph model`);
  }

  /** Checks one forward's inputs: one per built input, each batch × its size. */
  protected checkInputs(xs: readonly Float32Array[], batch: number): void {
    if (xs.length !== this.mergeShapes.length) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name}: ${xs.length} inputs, built for ${this.mergeShapes.length}`,
      );
    }
    xs.forEach((x, i) => {
      const size = this.mergeShapes[i]!.reduce((a, b) => a * b, 1);
      if (x.length !== batch * size) {
        throw new NnError(
          "SHAPE_MISMATCH",
          `${this.name}: input ${i} holds ${x.length} values, expected batch ${batch} × ${size}`,
        );
      }
    });
  }
}
