import { assertInRange } from "../errors.js";
import type { Param } from "../param.js";
import { applyConstraint, type Optimizer, type OptimizerState } from "./optimizer.js";
import { checkLearningRate, Slots } from "./slots.js";

export interface SgdOptions {
  learningRate?: number;
  /** Heavy-ball momentum μ: v ← μ·v − lr·g, w ← w + v. Default 0. */
  momentum?: number;
  /** Multiply each parameter's rate by its `lrScale` (the BNN paper's per-layer scaling). */
  perLayerScaling?: boolean;
}

/** Stochastic gradient descent with optional momentum. */
export function sgd(options: SgdOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0;
  assertInRange(momentum, 0, 1, "sgd momentum");
  const slots = new Slots();
  const opt: Optimizer = {
    name: "sgd",
    appliesConstraints: true,
    learningRate: options.learningRate ?? 0.01,
    step(params: readonly Param[]) {
      checkLearningRate(opt.learningRate, "sgd");
      for (const p of params) {
        const lr = opt.learningRate * (options.perLayerScaling ? p.lrScale : 1);
        const w = p.value;
        const g = p.grad;
        const lo = p.constraint?.bounds?.[0] ?? Number.NEGATIVE_INFINITY;
        const hi = p.constraint?.bounds?.[1] ?? Number.POSITIVE_INFINITY;
        if (momentum === 0) {
          for (let i = 0; i < w.length; i++) w[i] = Math.min(hi, Math.max(lo, w[i]! - lr * g[i]!));
        } else {
          const v = slots.get(p, "velocity");
          for (let i = 0; i < w.length; i++) {
            const vi = momentum * v[i]! - lr * g[i]!;
            v[i] = vi;
            w[i] = Math.min(hi, Math.max(lo, w[i]! + vi));
          }
        }
        applyConstraint(p, true);
      }
    },
    getState(): OptimizerState {
      return { type: "sgd", scalars: {}, slots: slots.toRecord() };
    },
    setState(state) {
      slots.load(state, "sgd");
    },
  };
  checkLearningRate(opt.learningRate, "sgd");
  return opt;
}
