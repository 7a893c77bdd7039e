import { DatasetError, assertCount } from "./errors.js";
import type { LabeledImages } from "./mnist.js";
import { type RandomSource, permutation } from "./random.js";

export interface SplitValidationOptions {
  /** Pick validation items at random with this generator; by default the last `validationCount` items. */
  rng?: RandomSource;
}

/**
 * Splits a labelled set into disjoint training and validation sets (copies). Without `rng` the
 * validation set is the last `validationCount` items (as Keras' validation_split does); with `rng`, a
 * random subset, each part keeping the original relative order.
 */
export function splitValidation(
  set: LabeledImages,
  validationCount: number,
  options: SplitValidationOptions = {},
): { train: LabeledImages; validation: LabeledImages } {
  assertCount(validationCount, "validationCount");
  if (validationCount > set.count) {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `splitValidation: validationCount ${validationCount} exceeds the ${set.count} items`,
    );
  }
  const size = set.rows * set.cols;
  if (set.images.length !== set.count * size || set.labels.length !== set.count) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `splitValidation: ${set.count} items of ${set.rows}×${set.cols} need ${set.count * size} pixels and ${set.count} labels, got ${set.images.length} and ${set.labels.length}`,
    );
  }
  const isValidation = new Uint8Array(set.count);
  if (options.rng) {
    const order = permutation(set.count, options.rng);
    for (let i = 0; i < validationCount; i++) isValidation[order[i]!] = 1;
  } else {
    isValidation.fill(1, set.count - validationCount);
  }
  const pick = (flag: number): LabeledImages => {
    const count = flag ? validationCount : set.count - validationCount;
    const images = new Uint8Array(count * size);
    const labels = new Uint8Array(count);
    let k = 0;
    for (let i = 0; i < set.count; i++) {
      if (isValidation[i] !== flag) continue;
      images.set(set.images.subarray(i * size, (i + 1) * size), k * size);
      labels[k++] = set.labels[i]!;
    }
    return { images, labels, count, rows: set.rows, cols: set.cols };
  };
  return { train: pick(0), validation: pick(1) };
}
