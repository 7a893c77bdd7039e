import { type BitMatrix, createBitMatrix } from "./bit-matrix.js";
import { BitopsError } from "./errors.js";

/**
 * Reference of the threshold epilogue over M×N dot products: bit n of row m is 1 iff
 * dot ≥ thresholds[n] (flip[n] = 0) or dot ≤ thresholds[n] (flip[n] = 1). Rows are padded to
 * `wordMultiple` words with zero bits.
 */
export function thresholdRef(
  dots: Int32Array,
  rows: number,
  cols: number,
  thresholds: Int32Array,
  flip: Uint8Array,
  wordMultiple = 4,
): BitMatrix {
  if (dots.length < rows * cols || thresholds.length < cols || flip.length < cols) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `thresholdRef: ${dots.length} dots, ${thresholds.length} thresholds, ${flip.length} flips for ${rows}×${cols}`,
    );
  }
  const out = createBitMatrix(rows, cols, wordMultiple);
  for (let m = 0; m < rows; m++) {
    for (let n = 0; n < cols; n++) {
      const dot = dots[m * cols + n]!;
      const t = thresholds[n]!;
      if (flip[n] ? dot <= t : dot >= t) out.data[m * out.wordsPerRow + (n >>> 5)]! |= 1 << (n & 31);
    }
  }
  return out;
}

/** Reference of the scale/bias epilogue: float32(float32(dot·scale[n]) + bias[n]). */
export function scaleBiasRef(
  dots: Int32Array,
  rows: number,
  cols: number,
  scale: Float32Array,
  bias: Float32Array,
): Float32Array {
  if (dots.length < rows * cols || scale.length < cols || bias.length < cols) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `scaleBiasRef: ${dots.length} dots, ${scale.length} scales, ${bias.length} biases for ${rows}×${cols}`,
    );
  }
  const out = new Float32Array(rows * cols);
  for (let m = 0; m < rows; m++) {
    for (let n = 0; n < cols; n++) {
      out[m * cols + n] = Math.fround(Math.fround(dots[m * cols + n]! * scale[n]!) + bias[n]!);
    }
  }
  return out;
}
