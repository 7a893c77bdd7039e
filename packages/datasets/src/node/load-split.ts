import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatasetError, assertCount } from "../errors.js";
import { type LabeledImages, MNIST_SIDE, checkLabeledImages } from "../mnist.js";
import { readIdxFileContents } from "./read-idx-file.js";

export type MnistSplit = "train" | "test";

/** Item counts of the official MNIST and Fashion-MNIST splits. */
export const MNIST_SPLIT_SIZES: Readonly<Record<MnistSplit, number>> = { train: 60000, test: 10000 };

/** File names of each split, shared by MNIST and Fashion-MNIST (each may also end in `.gz`). */
export const MNIST_FILE_STEMS: Readonly<Record<MnistSplit, { images: string; labels: string }>> = {
  train: { images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte" },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
};

/** Images and labels with the names of their classes: `classNames[labels[i]]` names item i. */
export interface NamedLabeledImages extends LabeledImages {
  classNames: readonly string[];
}

export interface LoadSplitRequest {
  /** The dataset's name, for messages ("MNIST", "Fashion-MNIST"). */
  dataset: string;
  split: MnistSplit;
  limit?: number | undefined;
  /** The two files of the split. */
  paths: { images: string; labels: string };
  /** Require the official item count (when reading the dataset's own installed files). */
  official: boolean;
  classNames: readonly string[];
}

/** Checks a split name and limit the way every loader does. */
export function checkSplitOptions(loader: string, split: unknown, limit: number | undefined): void {
  if (split !== "train" && split !== "test") {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `${loader}: split must be "train" or "test", got ${String(split)}`,
    );
  }
  if (limit !== undefined) assertCount(limit, "limit");
}

/** The image and label files of `split` in `dir`, plain or `.gz` (FILE_ERROR naming both names when absent). */
export function splitFiles(
  dataset: string,
  dir: string,
  split: MnistSplit,
): { images: string; labels: string } {
  const find = (stem: string): string => {
    for (const name of [stem, `${stem}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
    throw new DatasetError("FILE_ERROR", `${dataset} ${split}: neither ${stem} nor ${stem}.gz is in ${dir}`);
  };
  const stems = MNIST_FILE_STEMS[split];
  return { images: find(stems.images), labels: find(stems.labels) };
}

/** Reads and checks an MNIST-layout split: 28×28 uint8 images, uint8 labels that are classes. */
export async function loadSplit(request: LoadSplitRequest): Promise<NamedLabeledImages> {
  const { dataset, split, limit, paths, official, classNames } = request;
  const [images, labels] = await Promise.all([
    readIdxFileContents(paths.images, { limit }),
    readIdxFileContents(paths.labels, { limit }),
  ]);
  const total = images.header.shape[0];
  if (labels.header.shape[0] !== total) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `${dataset} ${split}: ${paths.images} holds ${total} images but ${paths.labels} holds ${labels.header.shape[0]} labels`,
    );
  }
  // The official files must be the official split; other directories (subsets) may differ.
  if (official && total !== MNIST_SPLIT_SIZES[split]) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `${dataset} ${split}: ${paths.images} holds ${total} images, expected the official ${MNIST_SPLIT_SIZES[split]}`,
    );
  }
  try {
    const set = checkLabeledImages(images.array, labels.array, {
      imageShape: [MNIST_SIDE, MNIST_SIDE],
      numClasses: classNames.length,
    });
    return { ...set, classNames };
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new DatasetError(error.code, `${paths.images}, ${paths.labels}: ${error.message}`, error.offset);
    }
    throw error;
  }
}
