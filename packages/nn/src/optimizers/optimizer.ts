import type { Param } from "../param.js";

/**
 * An optimizer's resumable state: scalars (e.g. Adam's step count) and per-parameter slots keyed
 * `<param name>/<slot>`. Plain data, so checkpoints can store it.
 */
export interface OptimizerState {
  readonly type: string;
  readonly scalars: Record<string, number>;
  readonly slots: Record<string, Float32Array>;
}

/** Updates parameters in place from their `grad`. */
export interface Optimizer {
  readonly name: string;
  /**
   * True when `step` also applies each parameter's constraint (fused into the update loop); the
   * model applies constraints itself after `step` otherwise.
   */
  readonly appliesConstraints?: boolean;
  /**
   * The learning rate of the next step; schedules set it before every step. Bop has none (it keeps
   * the value and ignores it); `multiOptimizer` passes it to its children.
   */
  learningRate: number;
  step(params: readonly Param[]): void;
  getState(): OptimizerState;
  /** Restores a state from `getState` (of an optimizer of the same type over the same parameters). */
  setState(state: OptimizerState): void;
}

export function copyState(state: OptimizerState): OptimizerState {
  const slots: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(state.slots)) slots[k] = v.slice();
  return { type: state.type, scalars: { ...state.scalars }, slots };
}

/** Applies a parameter's constraint unless `fused` says the update loop already clamped to its bounds. */
export function applyConstraint(p: Param, fused: boolean): void {
  if (p.constraint && !(fused && p.constraint.bounds)) p.constraint.apply(p.value);
}
