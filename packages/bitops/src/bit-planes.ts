import { type BitMatrix, validateBitMatrix, wordsFor } from "./bit-matrix.js";
import { BitopsError, assertNonNegativeInteger } from "./errors.js";
import { popcount32 } from "./popcount.js";

/**
 * 8-bit inputs split into 8 packed bit planes (the BNN paper's exact first layer):
 * x = Σₙ 2ⁿ·xₙ with xₙ ∈ {0, 1}. Layout: row r, plane n (0 = least significant), word w at
 * data[(r·8 + n)·wordsPerRow + w].
 */
export interface BitPlanes {
  readonly rows: number;
  readonly cols: number;
  readonly wordsPerRow: number;
  readonly data: Uint32Array;
}

export const BIT_PLANES = 8;

/** Splits a rows×cols row-major matrix of bytes into 8 packed bit planes per row. */
export function encodeBitPlanes(x: Uint8Array, rows: number, cols: number, wordMultiple = 1): BitPlanes {
  assertNonNegativeInteger(rows, "rows");
  if (x.length !== rows * cols) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `encodeBitPlanes: ${x.length} bytes cannot form a ${rows}×${cols} matrix`,
    );
  }
  const wordsPerRow = wordsFor(cols, wordMultiple);
  const data = new Uint32Array(rows * BIT_PLANES * wordsPerRow);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c]!;
      if (v === 0) continue;
      const word = c >>> 5;
      const bit = 1 << (c & 31);
      for (let n = 0; n < BIT_PLANES; n++) {
        if ((v >>> n) & 1) data[(r * BIT_PLANES + n) * wordsPerRow + word]! |= bit;
      }
    }
  }
  return { rows, cols, wordsPerRow, data };
}

/**
 * Exact integer dot of input row `row` (8-bit values) with weight row `wRow` (±1):
 * Σ x·w = Σₙ 2ⁿ·(2·popcount(xₙ ∧ w⁺) − popcount(xₙ)), using AND and popcount only.
 */
export function bitPlaneDot(x: BitPlanes, row: number, w: BitMatrix, wRow: number): number {
  if (x.cols !== w.cols) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `bitPlaneDot: input has K = ${x.cols} but weights have K = ${w.cols}`,
    );
  }
  if (row < 0 || row >= x.rows || wRow < 0 || wRow >= w.rows) {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      `bitPlaneDot: row ${row}/${wRow} outside ${x.rows}/${w.rows} rows`,
    );
  }
  const words = Math.ceil(x.cols / 32);
  const wBase = wRow * w.wordsPerRow;
  let total = 0;
  for (let n = 0; n < BIT_PLANES; n++) {
    const xBase = (row * BIT_PLANES + n) * x.wordsPerRow;
    let both = 0;
    let ones = 0;
    for (let i = 0; i < words; i++) {
      const xn = x.data[xBase + i]!;
      both += popcount32(xn & w.data[wBase + i]!);
      ones += popcount32(xn);
    }
    total += (2 * both - ones) << n;
  }
  return total;
}

/** Reference first-layer GEMM: C[m][n] = Σ_k x[m][k]·w[n][k] for 8-bit x and ±1 w. */
export function bitPlaneGemmRef(x: BitPlanes, w: BitMatrix): Int32Array {
  validateBitMatrix(w, "W");
  const out = new Int32Array(x.rows * w.rows);
  for (let m = 0; m < x.rows; m++) {
    for (let n = 0; n < w.rows; n++) out[m * w.rows + n] = bitPlaneDot(x, m, w, n);
  }
  return out;
}
