import { NnError } from "../errors.js";
import type { Layer } from "../layers/layer.js";
import { assertShape, type Shape } from "../shape.js";

/**
 * A value of a graph under construction (Keras's symbolic tensor): the model input, or the output of
 * a layer applied to other symbolic tensors. It holds no data; `model({ inputs, outputs })` turns the
 * graph between them into a trainable model.
 */
export class SymbolicTensor {
  /** @internal use `input()` or `layer.apply(…)` */
  constructor(
    /** The layer that computes this value; undefined for the model input. */
    readonly layer: Layer | undefined,
    /** The values the layer reads (empty for the model input). */
    readonly inputs: readonly SymbolicTensor[],
    /** The per-sample shape of a model input; computed by the model for layer outputs. */
    readonly inputShape: Shape | undefined,
    readonly name: string,
  ) {}
}

/** The input of a graph model: one sample's shape, `[features]` or `[height, width, channels]`. */
export function input(shape: Shape, options: { name?: string } = {}): SymbolicTensor {
  assertShape(shape, "input shape");
  return new SymbolicTensor(undefined, [], [...shape], options.name ?? "input");
}

const applied = new WeakSet<Layer>();

/** `layer.apply(…inputs)`: a new graph value; each layer is applied once (weights are not shared). */
export function applyLayer(
  layer: Layer,
  inputs: readonly SymbolicTensor[],
  arity: "one" | "many",
): SymbolicTensor {
  for (const [i, x] of inputs.entries()) {
    if (!(x instanceof SymbolicTensor)) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${layer.name}.apply: input ${i} is not a symbolic tensor (start from input(shape))`,
      );
    }
  }
  if (arity === "one" && inputs.length !== 1) {
    throw new NnError("INVALID_ARGUMENT", `${layer.name}.apply takes one input, got ${inputs.length}`);
  }
  if (arity === "many" && inputs.length < 2) {
    throw new NnError(
      "INVALID_ARGUMENT",
      `${layer.name}.apply merges two or more inputs, got ${inputs.length}`,
    );
  }
  if (layer.built || applied.has(layer)) {
    throw new NnError(
      "INVALID_ARGUMENT",
      `layer "${layer.name}" is already in a model or applied once; create a new layer for each use`,
    );
  }
  applied.add(layer);
  return new SymbolicTensor(layer, [...inputs], undefined, layer.name);
}
