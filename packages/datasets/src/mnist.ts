import { DatasetError, assertCount } from "./errors.js";
import { type IdxReadOptions, readIdx } from "./read-idx.js";

/** Images with one class label each: `images` holds `count` row-major `rows`×`cols` uint8 images back to back. */
export interface LabeledImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface ParseMnistOptions extends IdxReadOptions {
  /** Keep only the first `limit` items. */
  limit?: number;
  /** Labels must lie in [0, numClasses). Default 10. */
  numClasses?: number;
  /** Require this image size (e.g. [28, 28]); any size is accepted when absent. */
  imageShape?: readonly [rows: number, cols: number];
}

/** MNIST's classes. */
export const MNIST_CLASSES = 10;
/** MNIST's image side: 28×28 pixels. */
export const MNIST_SIDE = 28;

/**
 * Parses an MNIST-style pair of IDX files (uint8 images [N, rows, cols], uint8 labels [N]) from their
 * bytes, checking that the counts agree and every label is a class. Works in browsers: pass bytes from
 * `fetch(...).arrayBuffer()` (decompress `.gz` files first).
 */
export function parseMnist(
  imagesBytes: Uint8Array,
  labelsBytes: Uint8Array,
  options: ParseMnistOptions = {},
): LabeledImages {
  const images = readIdx(imagesBytes, options);
  const labels = readIdx(labelsBytes, options);
  return checkLabeledImages(images, labels, options);
}

/** Validates decoded image and label arrays as a labelled image set (shared by the file loader). */
export function checkLabeledImages(
  images: { dtype: string; shape: number[]; data: ArrayLike<number> },
  labels: { dtype: string; shape: number[]; data: ArrayLike<number> },
  options: Pick<ParseMnistOptions, "limit" | "numClasses" | "imageShape"> = {},
): LabeledImages {
  const numClasses = options.numClasses ?? MNIST_CLASSES;
  if (images.dtype !== "uint8" || images.shape.length !== 3) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `MNIST images must be uint8 with 3 dimensions [count, rows, cols], got ${images.dtype} [${images.shape.join(", ")}]`,
    );
  }
  if (labels.dtype !== "uint8" || labels.shape.length !== 1) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `MNIST labels must be uint8 with 1 dimension [count], got ${labels.dtype} [${labels.shape.join(", ")}]`,
    );
  }
  const [total, rows, cols] = images.shape as [number, number, number];
  if (labels.shape[0] !== total) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `MNIST images and labels disagree: ${total} images but ${labels.shape[0]} labels`,
    );
  }
  if (options.imageShape && (rows !== options.imageShape[0] || cols !== options.imageShape[1])) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `MNIST images must be ${options.imageShape[0]}×${options.imageShape[1]}, got ${rows}×${cols}`,
    );
  }
  let count = total;
  if (options.limit !== undefined) {
    assertCount(options.limit, "limit");
    count = Math.min(total, options.limit);
  }
  const labelData = Uint8Array.from({ length: count }, (_, i) => labels.data[i]!);
  for (let i = 0; i < count; i++) {
    if (labelData[i]! >= numClasses) {
      throw new DatasetError(
        "BAD_LABEL",
        `MNIST label ${i} is ${labelData[i]}, outside the ${numClasses} classes [0, ${numClasses - 1}]`,
      );
    }
  }
  const pixels = count * rows * cols;
  const imageData =
    images.data instanceof Uint8Array
      ? images.data.length === pixels
        ? images.data
        : images.data.slice(0, pixels)
      : Uint8Array.from({ length: pixels }, (_, i) => images.data[i]!);
  return { images: imageData, labels: labelData, count, rows, cols };
}
