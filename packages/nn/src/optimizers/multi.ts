import { NnError } from "../errors.js";
import type { Param } from "../param.js";
import type { Optimizer, OptimizerState } from "./optimizer.js";

export interface MultiOptimizerOptions {
  /** Trains parameters of kind "binary" (latent binary kernels), e.g. `bop()`. */
  binary: Optimizer;
  /** Trains everything else (real kernels, biases, BatchNorm γ/β), e.g. `adam()`. */
  other: Optimizer;
}

/**
 * Routes binary parameters to one optimizer and the rest to another (Larq's CaseOptimizer), e.g.
 * Bop for binary weights while Adam trains the real ones. Setting `learningRate` sets both children's.
 */
export function multiOptimizer(options: MultiOptimizerOptions): Optimizer {
  const { binary, other } = options;
  const binaryParams: Param[] = [];
  const otherParams: Param[] = [];
  return {
    name: `multi(${binary.name}, ${other.name})`,
    appliesConstraints: binary.appliesConstraints === true && other.appliesConstraints === true,
    get learningRate() {
      return other.learningRate;
    },
    set learningRate(lr: number) {
      binary.learningRate = lr;
      other.learningRate = lr;
    },
    step(params: readonly Param[]) {
      binaryParams.length = 0;
      otherParams.length = 0;
      for (const p of params) (p.kind === "binary" ? binaryParams : otherParams).push(p);
      if (binaryParams.length > 0) binary.step(binaryParams);
      if (otherParams.length > 0) other.step(otherParams);
    },
    getState(): OptimizerState {
      const b = binary.getState();
      const o = other.getState();
      const scalars: Record<string, number> = {};
      const slots: Record<string, Float32Array> = {};
      for (const [k, v] of Object.entries(b.scalars)) scalars[`binary:${k}`] = v;
      for (const [k, v] of Object.entries(o.scalars)) scalars[`other:${k}`] = v;
      for (const [k, v] of Object.entries(b.slots)) slots[`binary:${k}`] = v;
      for (const [k, v] of Object.entries(o.slots)) slots[`other:${k}`] = v;
      return { type: `multi(${b.type},${o.type})`, scalars, slots };
    },
    setState(state) {
      const expected = `multi(${binary.getState().type},${other.getState().type})`;
      if (state.type !== expected) {
        throw new NnError(
          "STATE_MISMATCH",
          `optimizer state is for "${state.type}", this optimizer is "${expected}"`,
        );
      }
      const part = (prefix: string, type: string): OptimizerState => {
        const scalars: Record<string, number> = {};
        const slots: Record<string, Float32Array> = {};
        for (const [k, v] of Object.entries(state.scalars))
          if (k.startsWith(prefix)) scalars[k.slice(prefix.length)] = v;
        for (const [k, v] of Object.entries(state.slots))
          if (k.startsWith(prefix)) slots[k.slice(prefix.length)] = v;
        return { type, scalars, slots };
      };
      binary.setState(part("binary:", binary.getState().type));
      other.setState(part("other:", other.getState().type));
    },
  };
}
