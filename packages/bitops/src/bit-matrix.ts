import { BitopsError, assertNonNegativeInteger } from "./errors.js";

/**
 * A matrix of ±1 values packed one bit each along its rows (the reduction axis): +1 → 1, −1 → 0.
 * Bit i of word w of a row holds column 32·w + i. Each row spans `wordsPerRow` words
 * (≥ ceil(cols / 32), rounded up to the caller's word multiple); bits past `cols` are zero.
 * A vector is a matrix with one row.
 */
export interface BitMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly wordsPerRow: number;
  readonly data: Uint32Array;
}

/** Words needed for `cols` bits, rounded up to a multiple of `wordMultiple` (the kernel's block width). */
export function wordsFor(cols: number, wordMultiple = 1): number {
  assertNonNegativeInteger(cols, "cols");
  if (!Number.isInteger(wordMultiple) || wordMultiple < 1) {
    throw new BitopsError("INVALID_ARGUMENT", `wordMultiple must be a positive integer, got ${wordMultiple}`);
  }
  const words = Math.ceil(cols / 32);
  return Math.ceil(words / wordMultiple) * wordMultiple;
}

/** An all-(−1) (all-zero-bit) matrix of the given shape. */
export function createBitMatrix(rows: number, cols: number, wordMultiple = 1): BitMatrix {
  assertNonNegativeInteger(rows, "rows");
  const wordsPerRow = wordsFor(cols, wordMultiple);
  return { rows, cols, wordsPerRow, data: new Uint32Array(rows * wordsPerRow) };
}

/** Throws a BitopsError unless `m` is internally consistent (sizes agree, padding bits are zero). */
export function validateBitMatrix(m: BitMatrix, what = "bit matrix"): void {
  if (typeof m !== "object" || m === null || !(m.data instanceof Uint32Array)) {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      `${what} must be a BitMatrix { rows, cols, wordsPerRow, data: Uint32Array }, got ${m === null ? "null" : typeof m}`,
    );
  }
  assertNonNegativeInteger(m.rows, `${what}.rows`);
  assertNonNegativeInteger(m.cols, `${what}.cols`);
  if (m.wordsPerRow < Math.ceil(m.cols / 32)) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `${what}: wordsPerRow ${m.wordsPerRow} cannot hold ${m.cols} columns`,
    );
  }
  if (m.data.length < m.rows * m.wordsPerRow) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `${what}: data holds ${m.data.length} words, ${m.rows}×${m.wordsPerRow} = ${m.rows * m.wordsPerRow} needed`,
    );
  }
}

/** Mask of the valid bits in the last used word of a row of `cols` bits (all ones when cols % 32 == 0). */
export function lastWordMask(cols: number): number {
  const r = cols & 31;
  return r === 0 ? 0xffffffff : (1 << r) - 1;
}
