import type { Step } from "./plan.js";

// The runtime's time estimates, in one place: per-unit speeds used when lowering (each step's
// `costPerRow`) and the thread costs used to decide whether a pass is worth the workers. Rough
// single-thread figures measured with the WASM kernels on x86-64: ~120 G word-bit MACs/s in dense
// GEMMs (bit-plane counted ×8), about half of that in convolutions (im2col, short K).

export const NS_PER_BINARY_MAC = 1 / 120;
export const NS_PER_PLANE_MAC = 1 / 120;
/** Convolutions run at about half the GEMM rate. */
export const CONV_OVERHEAD = 2;
export const NS_PER_FLOAT_MAC = 0.7;
export const NS_PER_ELEMENT = 0.3;

/** Estimated cost of posting a pass to the workers and hearing back, and of one barrier. */
export const DISPATCH_NS = 60_000;
export const BARRIER_NS = 5_000;

/**
 * Estimated nanoseconds saved by splitting a pass of `batch` samples over `threads` threads: each
 * step's rows split (a 1-row step cannot be), or its columns when it was planned with column
 * slices, less the dispatch and per-step barrier costs.
 */
export function parallelSaving(
  steps: readonly Step[],
  batch: number,
  threads: number,
  splitsColumns: (step: Step) => boolean,
): number {
  let serial = 0;
  let split = DISPATCH_NS;
  for (const step of steps) {
    const rows = step.rowsPerSample * batch;
    serial += step.costPerRow * rows;
    split +=
      step.costPerRow * (splitsColumns(step) ? rows / threads : Math.ceil(rows / threads)) + BARRIER_NS;
  }
  return serial - split;
}
