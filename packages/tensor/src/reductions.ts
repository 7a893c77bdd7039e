import { TensorError, assertDimension, assertLength } from "./errors.js";

function checkMatrix(x: ArrayLike<number>, rows: number, cols: number, what: string): void {
  assertDimension(rows, `${what} rows`);
  assertDimension(cols, `${what} cols`);
  assertLength(x, rows * cols, `${what} input (${rows}×${cols})`);
}

function outputFor(out: Float32Array | undefined, size: number, what: string): Float32Array {
  if (!out) return new Float32Array(size);
  assertLength(out, size, `${what} out`);
  return out;
}

/**
 * Per-channel mean and biased (population) variance of a [rows, channels] matrix, as BatchNorm
 * needs for NHWC data (rows = batch·H·W). Two passes in float64 for accuracy.
 */
export function channelMeanVar(
  x: Float32Array,
  rows: number,
  channels: number,
): { mean: Float32Array; variance: Float32Array } {
  checkMatrix(x, rows, channels, "channelMeanVar");
  if (rows === 0) throw new TensorError("INVALID_ARGUMENT", "channelMeanVar needs at least one row");
  const sum = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    const base = r * channels;
    for (let c = 0; c < channels; c++) sum[c]! += x[base + c]!;
  }
  for (let c = 0; c < channels; c++) sum[c]! /= rows;
  const sq = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    const base = r * channels;
    for (let c = 0; c < channels; c++) {
      const d = x[base + c]! - sum[c]!;
      sq[c]! += d * d;
    }
  }
  const variance = new Float32Array(channels);
  for (let c = 0; c < channels; c++) variance[c] = sq[c]! / rows;
  return { mean: Float32Array.from(sum), variance };
}

/** Sum of each column of a [rows, cols] matrix (e.g. a bias gradient). */
export function columnSums(x: Float32Array, rows: number, cols: number, out?: Float32Array): Float32Array {
  checkMatrix(x, rows, cols, "columnSums");
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc[c]! += x[base + c]!;
  }
  const result = outputFor(out, cols, "columnSums");
  result.set(acc);
  return result;
}

/** Row-wise softmax of a [rows, cols] matrix (max-subtracted, so large logits do not overflow). */
export function softmax(x: Float32Array, rows: number, cols: number, out?: Float32Array): Float32Array {
  checkMatrix(x, rows, cols, "softmax");
  const result = outputFor(out, rows * cols, "softmax");
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(x[base + c]! - max);
      result[base + c] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let c = 0; c < cols; c++) result[base + c]! *= inv;
  }
  return result;
}

/** Row-wise log-softmax: x − max − log Σ exp(x − max). */
export function logSoftmax(x: Float32Array, rows: number, cols: number, out?: Float32Array): Float32Array {
  checkMatrix(x, rows, cols, "logSoftmax");
  const result = outputFor(out, rows * cols, "logSoftmax");
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[base + c]! - max);
    const shift = max + Math.log(sum);
    for (let c = 0; c < cols; c++) result[base + c] = x[base + c]! - shift;
  }
  return result;
}

/**
 * Index of the largest element of each row (the first one on ties; NaN is never the largest), into
 * `out` (length `rows`) when given. The one argmax of the project's training and evaluation code.
 */
export function argmaxRows(x: ArrayLike<number>, rows: number, cols: number, out?: Int32Array): Int32Array {
  checkMatrix(x, rows, cols, "argmaxRows");
  if (cols === 0 && rows > 0)
    throw new TensorError("INVALID_ARGUMENT", "argmaxRows needs at least one column");
  if (out && out.length !== rows) {
    throw new TensorError(
      "SHAPE_MISMATCH",
      `argmaxRows out has ${out.length} elements, ${rows} rows need ${rows}`,
    );
  }
  const result = out ?? new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < cols; c++) {
      const v = x[base + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    result[r] = best;
  }
  return result;
}
