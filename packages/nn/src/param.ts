import type { Constraint } from "./constraints.js";
import type { Shape } from "./shape.js";

/**
 * A trainable tensor with its gradient. `binary` parameters are latent weights that the forward pass
 * binarizes (the Bop optimizer and `weightClip` apply to them); `real` ones are used as they are.
 */
export interface Param {
  /** Unique within a model: `<layer name>/<role>`, e.g. `binary_dense_1/kernel`. */
  readonly name: string;
  readonly shape: Shape;
  readonly kind: "binary" | "real";
  /** The values (latent weights for binary parameters). Updated in place by optimizers. */
  readonly value: Float32Array;
  /** ∂loss/∂value of the last backward pass (overwritten, not accumulated). */
  readonly grad: Float32Array;
  /** Applied after every optimizer update, e.g. `weightClip(1)`. */
  readonly constraint: Constraint | undefined;
  /**
   * Per-layer learning-rate multiplier used by optimizers created with `perLayerScaling: true`
   * (the BNN paper's Glorot-based scaling, 1/√(1.5/(fanIn+fanOut)), for binary kernels; 1 otherwise).
   */
  readonly lrScale: number;
}

export function createParam(
  name: string,
  shape: Shape,
  kind: "binary" | "real",
  value: Float32Array,
  constraint?: Constraint,
  lrScale = 1,
): Param {
  return { name, shape, kind, value, grad: new Float32Array(value.length), constraint, lrScale };
}
