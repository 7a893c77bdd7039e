import { assertInRange, NnError } from "../errors.js";
import type { Param } from "../param.js";
import { applyConstraint, type Optimizer, type OptimizerState } from "./optimizer.js";
import { SlotMemory } from "./slot-memory.js";
import { checkLearningRate } from "./slots.js";

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /**
   * Multiply each parameter's rate by its `lrScale`: binary kernels get 1/√(1.5/(fanIn+fanOut)),
   * the BNN paper's Glorot-based per-layer scaling. Default false.
   */
  perLayerScaling?: boolean;
  /**
   * Decoupled weight decay (AdamW, Loshchilov & Hutter): before each update real-valued parameters
   * shrink by lr·weightDecay·w. Binary (latent) weights are left alone. Default 0.
   */
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba) with bias correction. Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8. The update
 * runs in f32 arithmetic (a WebAssembly SIMD kernel, or the same operations in TypeScript).
 */
export function adam(options: AdamOptions = {}): Optimizer {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  assertInRange(beta1, 0, 0.999999, "adam beta1");
  assertInRange(beta2, 0, 0.999999999, "adam beta2");
  assertInRange(epsilon, 0, 1, "adam epsilon");
  const weightDecay = options.weightDecay ?? 0;
  assertInRange(weightDecay, 0, 1, "adam weightDecay");
  // m and v live in the kernel's memory: only weights and gradients are copied per step.
  const slots = new SlotMemory();
  let t = 0;
  const opt: Optimizer = {
    name: "adam",
    appliesConstraints: true,
    learningRate: options.learningRate ?? 1e-3,
    step(params: readonly Param[]) {
      checkLearningRate(opt.learningRate, "adam");
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      const stepSize = (opt.learningRate * Math.sqrt(c2)) / c1;
      // ε is applied to the bias-corrected second moment (as in the paper): √v̂ + ε = (√v + ε√c₂)/√c₂.
      const epsHat = epsilon * Math.sqrt(c2);
      const b1 = 1 - beta1;
      const b2 = 1 - beta2;
      for (const p of params) {
        const scaling = options.perLayerScaling ? p.lrScale : 1;
        if (weightDecay > 0 && p.kind === "real") {
          const shrink = 1 - opt.learningRate * scaling * weightDecay;
          const w = p.value;
          for (let i = 0; i < w.length; i++) w[i]! *= shrink;
        }
        const lr = stepSize * scaling;
        const m = slots.slot(p, "m");
        const v = slots.slot(p, "v");
        // Clamping to a box constraint here saves a pass over the weights.
        const lo = p.constraint?.bounds?.[0] ?? Number.NEGATIVE_INFINITY;
        const hi = p.constraint?.bounds?.[1] ?? Number.POSITIVE_INFINITY;
        slots.adam(p, m, v, { beta1, oneMinusBeta1: b1, beta2, oneMinusBeta2: b2, lr, epsHat, lo, hi });
        applyConstraint(p, true);
      }
    },
    getState(): OptimizerState {
      return { type: "adam", scalars: { t }, slots: slots.toRecord() };
    },
    setState(state) {
      const restored = state.scalars?.["t"];
      if (restored === undefined || !Number.isInteger(restored) || restored < 0) {
        throw new NnError("STATE_MISMATCH", `adam state needs an integer step count "t", got ${restored}`);
      }
      slots.load(state, "adam");
      t = restored;
    },
  };
  checkLearningRate(opt.learningRate, "adam");
  return opt;
}
