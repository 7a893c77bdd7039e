import { assertInRange, NnError } from "../errors.js";
import type { Param } from "../param.js";
import { applyConstraint, type Optimizer, type OptimizerState } from "./optimizer.js";
import { Slots } from "./slots.js";

export interface BopOptions {
  /** τ: flip a weight when its gradient average exceeds this in the weight's direction. Default 1e-8. */
  threshold?: number;
  /** γ: adaptivity rate of the exponential moving average of gradients. Default 1e-4. */
  gamma?: number;
}

/**
 * Bop, the latent-free binary optimizer (Helwegen et al. 2019, Larq `Bop`): m ← (1 − γ)·m + γ·g;
 * w ← −sign(w) where |m| > τ and sign(m) = sign(w), else sign(w). Only for binary parameters;
 * combine with another optimizer through `multiOptimizer`.
 */
export function bop(options: BopOptions = {}): Optimizer {
  const threshold = options.threshold ?? 1e-8;
  const gamma = options.gamma ?? 1e-4;
  assertInRange(threshold, 0, Number.MAX_VALUE, "bop threshold");
  assertInRange(gamma, 0, 1, "bop gamma");
  const slots = new Slots();
  return {
    name: "bop",
    appliesConstraints: true,
    learningRate: 0,
    step(params: readonly Param[]) {
      for (const p of params) {
        if (p.kind !== "binary") {
          throw new NnError(
            "INVALID_ARGUMENT",
            `bop trains binary weights only, "${p.name}" is real-valued; use multiOptimizer({ binary: bop(), other: adam() })`,
          );
        }
        const m = slots.get(p, "m");
        const w = p.value;
        const g = p.grad;
        for (let i = 0; i < w.length; i++) {
          const mi = m[i]! + gamma * (g[i]! - m[i]!);
          m[i] = mi;
          const s = w[i]! >= 0 ? 1 : -1;
          w[i] = s * mi > threshold ? -s : s;
        }
        // Weights are ±1 now: only a box narrower than [−1, 1] (or a custom constraint) changes them.
        const b = p.constraint?.bounds;
        applyConstraint(p, b !== undefined && b[0] <= -1 && b[1] >= 1);
      }
    },
    getState(): OptimizerState {
      return { type: "bop", scalars: {}, slots: slots.toRecord() };
    },
    setState(state) {
      slots.load(state, "bop");
    },
  };
}
