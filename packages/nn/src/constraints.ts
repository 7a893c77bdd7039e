import { assertFiniteNumber, NnError } from "./errors.js";

/** Projects a parameter back into its feasible set after an optimizer update. */
export interface Constraint {
  readonly name: string;
  apply(values: Float32Array): void;
  /** For box constraints [lo, hi]: lets optimizers clamp inside their update loop (one pass less). */
  readonly bounds?: readonly [number, number];
}

/** Clips latent weights to [−clip, clip] (BNN paper: clip 1), so they can change sign again quickly. */
export function weightClip(clip = 1): Constraint {
  assertFiniteNumber(clip, "weightClip clip");
  if (clip <= 0) throw new NnError("INVALID_ARGUMENT", `weightClip clip must be > 0, got ${clip}`);
  return {
    name: `weightClip(${clip})`,
    bounds: [-clip, clip],
    apply(values) {
      for (let i = 0; i < values.length; i++) values[i] = Math.min(clip, Math.max(-clip, values[i]!));
    },
  };
}
