import type { Rng } from "@onebit/tensor";
import { NnError } from "./errors.js";
import { QuantizerActivation } from "./layers/activations.js";
import { QuantizedLayer } from "./layers/quantized-layer.js";
import type { Layer } from "./layers/layer.js";
import { buildContext, checkUniqueNames, Model, modelSeed } from "./model-base.js";
import { isPlainSign } from "./quantizers.js";
import { assertShape, type Shape } from "./shape.js";

export {
  type BatchLog,
  type CompileOptions,
  type EpochData,
  type EpochLog,
  type EvaluateResult,
  type FitCallbacks,
  type FitOptions,
  type History,
  Model,
  type TrainingContext,
} from "./model-base.js";

export interface SequentialOptions {
  /** Shape of one sample: `[features]` or `[height, width, channels]`. */
  inputShape: Shape;
  /** Seeds weight initialization (and, unless `fit` gets its own, shuffling and dropout). Default 0. */
  seed?: number;
  name?: string;
}

/** A stack of layers trained end to end: Keras/Larq-like `compile`, `fit`, `evaluate`, `predict`, `summary`. */
export class Sequential extends Model {
  readonly name: string;
  readonly layers: readonly Layer[];
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly seed: number;
  private readonly firstTrainable: number;

  constructor(layers: readonly Layer[], options: SequentialOptions) {
    super();
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new NnError("INVALID_ARGUMENT", "sequential needs a non-empty array of layers");
    }
    assertShape(options?.inputShape, "sequential inputShape");
    this.seed = modelSeed(options.seed);
    this.name = options.name ?? "sequential";
    this.layers = [...layers];
    this.inputShape = [...options.inputShape];
    const ctx = buildContext(this.seed, layers);
    let shape: Shape = this.inputShape;
    for (const layer of this.layers) shape = layer.build(shape, ctx);
    this.outputShape = shape;
    checkUniqueNames(this.layers);
    for (let i = 1; i < this.layers.length; i++) {
      const prev = this.layers[i - 1]!;
      const layer = this.layers[i]!;
      if (
        layer instanceof QuantizedLayer &&
        prev instanceof QuantizerActivation &&
        isPlainSign(prev.quantizer)
      ) {
        layer.inputsAreSigns();
      }
    }
    this.firstTrainable = this.layers.findIndex((l) => l.params().length > 0);
  }

  /**
   * Forward pass over `batch` samples; returns a view of the last layer's output buffer (valid until
   * the next forward).
   */
  forward(x: Float32Array, batch: number, training = false, rng?: Rng): Float32Array {
    this.checkModelInput(x, batch);
    const ctx = rng ? { training, rng } : { training };
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, batch, ctx);
    return h;
  }

  /** Backward pass from ∂loss/∂output of the last forward; fills every parameter's `grad`. */
  backward(gradOut: Float32Array, batch: number): void {
    let g: Float32Array | null = gradOut;
    for (let i = this.layers.length - 1; i >= 0 && i >= this.firstTrainable; i--) {
      g = this.layers[i]!.backward(g!, batch, i > this.firstTrainable);
    }
  }

  topology(): Array<{ layer: Layer | undefined; inputs: number[] }> {
    return [{ layer: undefined, inputs: [] }, ...this.layers.map((layer, i) => ({ layer, inputs: [i] }))];
  }

  layerInputBits(): number[] {
    let bits = 32;
    return this.layers.map((layer) => {
      const b = bits;
      bits = layer.outputBits(bits);
      return b;
    });
  }
}

/** Builds a model from layers for samples of `inputShape`; weights are initialized from `seed`. */
export function sequential(layers: readonly Layer[], options: SequentialOptions): Sequential {
  return new Sequential(layers, options);
}
