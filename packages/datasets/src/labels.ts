import { DatasetError, assertCount } from "./errors.js";

export interface OneHotOptions {
  /** Value at the label's class. Default 1. */
  on?: number;
  /** Value elsewhere. Default 0; use −1 for a squared hinge loss on ±1 targets. */
  off?: number;
}

/** Row-major [labels.length, numClasses] targets with `on` at each label's class and `off` elsewhere. */
export function oneHot(
  labels: ArrayLike<number>,
  numClasses = 10,
  options: OneHotOptions = {},
): Float32Array {
  assertCount(numClasses, "numClasses", 1);
  const on = options.on ?? 1;
  const off = options.off ?? 0;
  const out = new Float32Array(labels.length * numClasses).fill(off);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new DatasetError("BAD_LABEL", `oneHot: label ${i} is ${label}, outside [0, ${numClasses - 1}]`);
    }
    out[i * numClasses + label] = on;
  }
  return out;
}

/** How many times each class occurs: `histogram[c]` = number of labels equal to c. */
export function labelHistogram(labels: ArrayLike<number>, numClasses = 10): number[] {
  assertCount(numClasses, "numClasses", 1);
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new DatasetError(
        "BAD_LABEL",
        `labelHistogram: label ${i} is ${label}, outside [0, ${numClasses - 1}]`,
      );
    }
    counts[label]!++;
  }
  return counts;
}
