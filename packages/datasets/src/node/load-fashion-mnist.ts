import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatasetError } from "../errors.js";
import { FASHION_MNIST_CLASS_NAMES } from "../class-names.js";
import {
  MNIST_FILE_STEMS,
  type MnistSplit,
  type NamedLabeledImages,
  checkSplitOptions,
  loadSplit,
  splitFiles,
} from "./load-split.js";

/** Where Debian's `dataset-fashion-mnist` package installs the four gzip-compressed IDX files. */
export const FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

/** How to get the files, for the error raised when they are missing. */
export const FASHION_MNIST_INSTALL_HINT =
  "Install Debian's package (sudo apt-get install dataset-fashion-mnist, which puts the files in " +
  `${FASHION_MNIST_DEBIAN_DIR}), or download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, ` +
  "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from " +
  "https://github.com/zalandoresearch/fashion-mnist (data/fashion) into a directory and pass { from: <directory> }.";

export interface LoadFashionMnistOptions {
  split: MnistSplit;
  /** Load only the first `limit` items (the files are still validated whole). */
  limit?: number;
  /**
   * A directory holding the split's files (`train-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, …, each
   * plain or `.gz`, the names MNIST uses), or the split's two files. Default: Debian's package directory.
   */
  from?: string | { images: string; labels: string };
}

/**
 * Loads the Fashion-MNIST training (60 000) or test (10 000) split: 28×28 uint8 images of clothing,
 * labels 0–9 named by `classNames` ("T-shirt/top" … "Ankle boot"). Reads `from`, or the files of
 * Debian's `dataset-fashion-mnist` package; when neither has them, a DatasetError
 * "MISSING_DATA_PACKAGE" says how to get them. Never downloads.
 */
export async function loadFashionMnist(options: LoadFashionMnistOptions): Promise<NamedLabeledImages> {
  const { split, limit, from } = options;
  checkSplitOptions("loadFashionMnist", split, limit);
  let paths: { images: string; labels: string };
  if (typeof from === "object") paths = from;
  else {
    const dir = from ?? FASHION_MNIST_DEBIAN_DIR;
    const stems = MNIST_FILE_STEMS[split];
    const present = [stems.images, stems.labels].every(
      (stem) => existsSync(join(dir, stem)) || existsSync(join(dir, `${stem}.gz`)),
    );
    if (!present) {
      throw new DatasetError(
        "MISSING_DATA_PACKAGE",
        `Fashion-MNIST ${split}: ${stems.images}(.gz) and ${stems.labels}(.gz) are not in ${dir}. ${FASHION_MNIST_INSTALL_HINT}`,
      );
    }
    paths = splitFiles("Fashion-MNIST", dir, split);
  }
  return loadSplit({
    dataset: "Fashion-MNIST",
    split,
    limit,
    paths,
    official: from === undefined,
    classNames: FASHION_MNIST_CLASS_NAMES,
  });
}
