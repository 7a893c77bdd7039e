import { type BitMatrix, createBitMatrix } from "./bit-matrix.js";
import { BitopsError, assertNonNegativeInteger } from "./errors.js";

export type SignSource =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | ArrayLike<number>;

export interface PackOptions {
  /** Pad each row to a multiple of this many words (the kernel's block width). Default 1. */
  wordMultiple?: number;
}

/**
 * Packs the signs of a rows×cols row-major matrix, one bit per value along each row:
 * bit 1 for v ≥ 0 (sign(0) = +1), bit 0 for v < 0. NaN has no sign and is rejected.
 */
export function packSignsMatrix(
  values: SignSource,
  rows: number,
  cols: number,
  options: PackOptions = {},
): BitMatrix {
  assertNonNegativeInteger(rows, "rows");
  assertNonNegativeInteger(cols, "cols");
  if (values.length !== rows * cols) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `packSignsMatrix: ${values.length} values cannot form a ${rows}×${cols} matrix (${rows * cols} expected)`,
    );
  }
  const m = createBitMatrix(rows, cols, options.wordMultiple ?? 1);
  const { data, wordsPerRow } = m;
  for (let r = 0; r < rows; r++) {
    const src = r * cols;
    const dst = r * wordsPerRow;
    // One word at a time in a local: far fewer typed-array writes than OR-ing each bit in place.
    for (let c0 = 0; c0 < cols; c0 += 32) {
      const end = Math.min(32, cols - c0);
      let word = 0;
      for (let i = 0; i < end; i++) {
        const v = values[src + c0 + i] as number;
        if (v >= 0) word |= 1 << i;
        else if (!(v < 0)) {
          throw new BitopsError(
            "NON_FINITE",
            `packSignsMatrix: NaN at row ${r}, column ${c0 + i} has no sign`,
          );
        }
      }
      data[dst + (c0 >>> 5)] = word;
    }
  }
  return m;
}

/** Packs a vector of values by sign into a one-row BitMatrix. */
export function packSigns(values: SignSource, options: PackOptions = {}): BitMatrix {
  return packSignsMatrix(values, 1, values.length, options);
}

/** Unpacks a BitMatrix to row-major ±1 values (rows·cols of them). */
export function unpackSigns(m: BitMatrix, out?: Float32Array): Float32Array {
  const n = m.rows * m.cols;
  const result = out ?? new Float32Array(n);
  if (result.length !== n) {
    throw new BitopsError("SHAPE_MISMATCH", `unpackSigns: output holds ${result.length} values, ${n} needed`);
  }
  for (let r = 0; r < m.rows; r++) {
    const src = r * m.wordsPerRow;
    const dst = r * m.cols;
    for (let c = 0; c < m.cols; c++) {
      result[dst + c] = (m.data[src + (c >>> 5)]! >>> (c & 31)) & 1 ? 1 : -1;
    }
  }
  return result;
}
