import type { Rng } from "@onebit/tensor";
import { applyLayer, type SymbolicTensor } from "../graph/symbolic.js";
import { NnError } from "../errors.js";
import type { Param } from "../param.js";
import { formatShape, type Shape, sizeOf } from "../shape.js";

/** What a layer gets while a model builds it. */
export interface BuildContext {
  /** Initializes weights; the model's seeded generator, so the same seed gives the same weights. */
  readonly rng: Rng;
  /** A model-unique name from a prefix: `binary_dense` → `binary_dense_1`, … */
  uniqueName(prefix: string): string;
}

/** What a forward pass knows besides its input. */
export interface ForwardContext {
  /** Training mode: batch statistics in BatchNorm, dropout active. */
  readonly training: boolean;
  /** Draws dropout masks; required in training mode when the model has dropout. */
  readonly rng?: Rng;
}

/** One layer's line of `model.summary()` (per sample). */
export interface LayerCost {
  /** Bits of the inputs the layer's kernel multiplies (1 when binarized), or null for layers without a kernel. */
  readonly inputPrecision: number | null;
  readonly params1bit: number;
  readonly params32bit: number;
  /** Multiply-accumulates per sample where both inputs and weights are 1-bit. */
  readonly macs1bit: number;
  /** Other multiply-accumulates per sample. */
  readonly macs32bit: number;
}

/**
 * A layer with explicit forward/backward over a batch of samples stored row-major
 * ([batch, ...shape], images NHWC). Output buffers belong to the layer and are reused by the next
 * call; a forward's input must stay unchanged until the matching backward.
 */
export abstract class Layer {
  /** The factory name, e.g. `binaryDense`. */
  abstract readonly type: string;
  private assignedName: string | undefined;
  private shapes: { input: Shape; output: Shape } | undefined;

  constructor(name?: string) {
    this.assignedName = name;
  }

  get name(): string {
    return this.assignedName ?? this.type;
  }

  get built(): boolean {
    return this.shapes !== undefined;
  }

  /** Per-sample input shape (after build). */
  get inputShape(): Shape {
    return this.requireBuilt().input;
  }

  /** Per-sample output shape (after build). */
  get outputShape(): Shape {
    return this.requireBuilt().output;
  }

  get inputSize(): number {
    return sizeOf(this.inputShape);
  }

  get outputSize(): number {
    return sizeOf(this.outputShape);
  }

  /** Creates the weights for this input shape and returns the output shape. Builds once. */
  build(inputShape: Shape, ctx: BuildContext): Shape {
    if (this.shapes) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `layer "${this.name}" is already built (a layer belongs to one model)`,
      );
    }
    this.assignedName ??= ctx.uniqueName(snakeCase(this.type));
    const output = this.init(inputShape, ctx);
    this.shapes = { input: [...inputShape], output: [...output] };
    return output;
  }

  protected abstract init(inputShape: Shape, ctx: BuildContext): Shape;

  /** Runs the layer on `batch` samples; returns a view of the layer's own output buffer. */
  abstract forward(x: Float32Array, batch: number, ctx: ForwardContext): Float32Array;

  /**
   * Given ∂loss/∂output of the last forward, fills the parameters' `grad` and returns ∂loss/∂input
   * (a view of a layer-owned buffer), or null when `needInputGrad` is false.
   */
  abstract backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null;

  /** Applies the layer to a value of a graph under construction (the functional API of `model`). */
  apply(...inputs: SymbolicTensor[]): SymbolicTensor {
    return applyLayer(this, inputs, "one");
  }

  /** Trainable parameters. */
  params(): Param[] {
    return [];
  }

  /** Non-trainable state that checkpoints must keep (BatchNorm running statistics). */
  stateTensors(): Record<string, Float32Array> {
    return {};
  }

  /** Bits of the values this layer outputs, given the bits of its inputs (1 after a sign). */
  outputBits(inputBits: number): number {
    return inputBits;
  }

  /** Parameter and MAC counts for the summary, given the bits of the incoming values. */
  cost(_inputBits: number): LayerCost {
    return { inputPrecision: null, params1bit: 0, params32bit: 0, macs1bit: 0, macs32bit: 0 };
  }

  protected requireBuilt(): { input: Shape; output: Shape } {
    if (!this.shapes) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `layer "${this.name}" is used before it was built (add it to a model)`,
      );
    }
    return this.shapes;
  }

  /** Validates a forward input: a positive integer batch and batch × inputSize values. */
  protected checkInput(x: Float32Array, batch: number): void {
    const size = this.inputSize;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new NnError("INVALID_ARGUMENT", `${this.name}: batch must be a positive integer, got ${batch}`);
    }
    if (x.length !== batch * size) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name}: input holds ${x.length} values, expected batch ${batch} × ${formatShape(this.inputShape, false)} = ${batch * size}`,
      );
    }
  }

  /** Throws unless a forward ran (`saved`, what it kept for backward, is set) with this batch size. */
  protected requireForward<T>(saved: T, batch: number, lastBatch: number): asserts saved is NonNullable<T> {
    if (saved === undefined || saved === null || batch !== lastBatch) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${this.name}: backward without a matching forward (batch ${batch})`,
      );
    }
  }

  protected checkGrad(gradOut: Float32Array, batch: number): void {
    const expected = batch * this.outputSize;
    if (gradOut.length !== expected) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `${this.name}: output gradient holds ${gradOut.length} values, expected ${expected}`,
      );
    }
  }
}

export function snakeCase(type: string): string {
  return type.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}
