import { type BitMatrix, validateBitMatrix } from "./bit-matrix.js";
import { BitopsError } from "./errors.js";
import { xnorDot } from "./xnor-dot.js";

/**
 * Reference binary GEMM: C[m][n] = Σ_k A[m][k]·B[n][k] over ±1 values, both operands packed
 * row by row along K (B holds one row per output). Plain and obviously correct; the fast kernels
 * are tested against it.
 */
export function bgemmRef(a: BitMatrix, b: BitMatrix): Int32Array {
  validateBitMatrix(a, "A");
  validateBitMatrix(b, "B");
  if (a.cols !== b.cols) {
    throw new BitopsError("SHAPE_MISMATCH", `bgemmRef: A has K = ${a.cols} columns but B has K = ${b.cols}`);
  }
  const out = new Int32Array(a.rows * b.rows);
  for (let m = 0; m < a.rows; m++) {
    for (let n = 0; n < b.rows; n++) {
      out[m * b.rows + n] = xnorDot(a.data, b.data, a.cols, m * a.wordsPerRow, n * b.wordsPerRow);
    }
  }
  return out;
}
