import { NnError } from "./errors.js";
import { formatShape, type Shape, sizeOf } from "./shape.js";

/** Samples and their class labels: x is [n, ...inputShape] row-major, y holds n class indices. */
export interface LabeledData {
  readonly x: Float32Array;
  readonly y: ArrayLike<number>;
}

/** Validates x against the input shape, labels as integers in [0, classes); returns labels as Int32Array. */
export function checkLabeledData(
  data: LabeledData,
  inputShape: Shape,
  classes: number,
  what: string,
): Int32Array {
  if (!data || !(data.x instanceof Float32Array)) {
    throw new NnError("INVALID_ARGUMENT", `${what}.x must be a Float32Array`);
  }
  const n = data.y?.length;
  if (typeof n !== "number")
    throw new NnError("INVALID_ARGUMENT", `${what}.y must be an array of class indices`);
  checkSamples(data.x, inputShape, what, n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = data.y[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new NnError(
        "INVALID_LABEL",
        `${what}.y[${i}] = ${v} is not a class index in [0, ${classes}) (the model has ${classes} outputs)`,
      );
    }
    labels[i] = v;
  }
  return labels;
}

/** Validates x holds whole samples of `inputShape` (and `count` of them, when given), all finite. */
export function checkSamples(x: Float32Array, inputShape: Shape, what: string, count?: number): number {
  const size = sizeOf(inputShape);
  if (x.length % size !== 0 || (count !== undefined && x.length !== count * size)) {
    const expected = count !== undefined ? `${count} × ${size} = ${count * size}` : `a multiple of ${size}`;
    throw new NnError(
      "SHAPE_MISMATCH",
      `${what}.x holds ${x.length} values, expected ${expected} for samples of shape ${formatShape(inputShape, false)}`,
    );
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      throw new NnError(
        "NON_FINITE",
        `${what}.x[${i}] (sample ${Math.floor(i / size)}, feature ${i % size}) is ${v}, only finite values are accepted`,
      );
    }
  }
  return x.length / size;
}
