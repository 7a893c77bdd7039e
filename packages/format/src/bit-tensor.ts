import { type BitMatrix, type SignSource, packSignsMatrix, unpackSigns } from "@onebit/bitops";
import { FormatError } from "./errors.js";
import type { BitTensor } from "./tensor.js";
import { bitLayoutFor } from "./tensor-table.js";

function rowsAndCols(shape: readonly number[]): { rows: number; cols: number } {
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new FormatError(
      "INVALID_ARGUMENT",
      `shape [${shape.join(", ")}]: a bit tensor needs rank ≥ 1 and non-negative integer dimensions`,
    );
  }
  return bitLayoutFor(shape);
}

/**
 * Packs real values by sign (v ≥ 0 → +1 → bit 1) into a `bit` tensor of logical `shape`, along
 * its last axis (e.g. dense weights `[O, K]`, conv weights `[O, kh, kw, C]`). NaN is rejected.
 */
export function packBitTensor(values: SignSource, shape: readonly number[]): BitTensor {
  const { rows, cols } = rowsAndCols(shape);
  if (values.length !== rows * cols) {
    throw new FormatError(
      "INVALID_ARGUMENT",
      `packBitTensor: ${values.length} values for shape [${shape.join(", ")}] (${rows * cols})`,
    );
  }
  let m: BitMatrix;
  try {
    m = packSignsMatrix(values, rows, cols);
  } catch (e) {
    throw new FormatError("INVALID_ARGUMENT", `packBitTensor: ${(e as Error).message}`, { cause: e });
  }
  return bitTensorFromMatrix(m, shape);
}

/** The ±1 values of a bit tensor, row-major over its logical shape. */
export function unpackBitTensor(t: BitTensor): Float32Array {
  return unpackSigns(bitTensorToMatrix(t));
}

/** Wraps a `@onebit/bitops` BitMatrix (no copy) as a bit tensor; `shape` defaults to `[rows, cols]`. */
export function bitTensorFromMatrix(m: BitMatrix, shape: readonly number[] = [m.rows, m.cols]): BitTensor {
  const { rows, cols } = rowsAndCols(shape);
  if (rows !== m.rows || cols !== m.cols) {
    throw new FormatError(
      "INVALID_ARGUMENT",
      `shape [${shape.join(", ")}] packs as ${rows} × ${cols}, the matrix is ${m.rows} × ${m.cols}`,
    );
  }
  return {
    dtype: "bit",
    shape: [...shape],
    layout: { rows, cols, wordsPerRow: m.wordsPerRow },
    data: m.data,
  };
}

/** Views a bit tensor (no copy) as a `@onebit/bitops` BitMatrix for the packed kernels. */
export function bitTensorToMatrix(t: BitTensor): BitMatrix {
  return { rows: t.layout.rows, cols: t.layout.cols, wordsPerRow: t.layout.wordsPerRow, data: t.data };
}
