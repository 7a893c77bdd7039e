import { type BitMatrix, createBitMatrix, lastWordMask, validateBitMatrix } from "./bit-matrix.js";
import { BitopsError } from "./errors.js";
import { PANEL_COLUMNS, kernelRowWords, panelCount } from "./kernel-layout.js";

/**
 * Binary weights (N outputs × K inputs) in the kernels' own layout, built once at model load by
 * `prepackWeights`. Columns are grouped in panels of 4 outputs; within a panel the K words are
 * interleaved per 64-bit word: panel p, 64-bit word t, column c is the 32-bit pair at
 * `((p·(wordsPerRow/2) + t)·4 + c)·2`. Missing columns of the last panel and bits past K are zero.
 * The canonical row-major `BitMatrix` stays the interchange (file) form; `unprepackWeights` inverts.
 */
export interface PackedWeights {
  readonly layout: "panel4x64";
  /** N: output columns. */
  readonly rows: number;
  /** K: ±1 terms per dot product (dot = K − 2·popcount). */
  readonly cols: number;
  /** 32-bit words per kernel row (multiple of 4, ≥ `sourceWordsPerRow`). */
  readonly wordsPerRow: number;
  /** Words per row of the source rows (a BitMatrix's ceil(K/32), or a conv's taps·wordsPerPixel). */
  readonly sourceWordsPerRow: number;
  /** ceil(N/4). */
  readonly panels: number;
  /** panels · wordsPerRow · 4 words. */
  readonly data: Uint32Array;
  /** Set for convolution weights (see `prepackConvWeights`). */
  readonly conv?: { readonly kernelH: number; readonly kernelW: number; readonly inChannels: number };
}

/** Prepacks rows of `sourceWords` words each (row n at data[n·stride]) that hold `k` ±1 terms. */
export function prepackRows(
  data: Uint32Array,
  rows: number,
  stride: number,
  sourceWords: number,
  k: number,
  lastMask: number,
  conv?: PackedWeights["conv"],
): PackedWeights {
  const wordsPerRow = Math.max(kernelRowWords(sourceWords * 32), 0);
  const panels = panelCount(rows);
  const out = new Uint32Array(panels * wordsPerRow * PANEL_COLUMNS);
  const half = wordsPerRow >>> 1;
  for (let n = 0; n < rows; n++) {
    const p = (n / PANEL_COLUMNS) | 0;
    const c = n % PANEL_COLUMNS;
    const src = n * stride;
    for (let w = 0; w < sourceWords; w++) {
      let v = data[src + w]!;
      if (w === sourceWords - 1) v &= lastMask;
      const t = w >>> 1;
      out[((p * half + t) * PANEL_COLUMNS + c) * 2 + (w & 1)] = v;
    }
  }
  const packed: PackedWeights = {
    layout: "panel4x64",
    rows,
    cols: k,
    wordsPerRow,
    sourceWordsPerRow: sourceWords,
    panels,
    data: out,
  };
  return conv ? { ...packed, conv } : packed;
}

/** Prepacks a row-major weight matrix (one row per output, packed along K) for the kernels. */
export function prepackWeights(w: BitMatrix): PackedWeights {
  validateBitMatrix(w, "prepackWeights: W");
  const words = Math.ceil(w.cols / 32);
  return prepackRows(w.data, w.rows, w.wordsPerRow, words, w.cols, lastWordMask(w.cols));
}

/** The row-major BitMatrix (wordsPerRow = ceil(K/32)) that `prepackWeights` was given. */
export function unprepackWeights(w: PackedWeights): BitMatrix {
  validatePackedWeights(w, "unprepackWeights");
  if (w.conv) {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      "unprepackWeights: these are convolution weights, use unprepackConvWeights",
    );
  }
  const m = createBitMatrix(w.rows, w.cols);
  copyRowsOut(w, m.data, m.wordsPerRow);
  return m;
}

/** Writes each output's source words back row-major (stride words apart). */
export function copyRowsOut(w: PackedWeights, dst: Uint32Array, stride: number): void {
  const half = w.wordsPerRow >>> 1;
  for (let n = 0; n < w.rows; n++) {
    const p = (n / PANEL_COLUMNS) | 0;
    const c = n % PANEL_COLUMNS;
    for (let i = 0; i < w.sourceWordsPerRow; i++) {
      dst[n * stride + i] = w.data[((p * half + (i >>> 1)) * PANEL_COLUMNS + c) * 2 + (i & 1)]!;
    }
  }
}

export function validatePackedWeights(w: PackedWeights, where: string): void {
  if (w.layout !== "panel4x64") {
    throw new BitopsError("INVALID_ARGUMENT", `${where}: unknown packed-weight layout ${String(w.layout)}`);
  }
  const expected = panelCount(w.rows) * w.wordsPerRow * PANEL_COLUMNS;
  if (
    w.panels !== panelCount(w.rows) ||
    w.wordsPerRow % 4 !== 0 ||
    w.wordsPerRow < w.sourceWordsPerRow ||
    w.data.length < expected
  ) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `${where}: packed weights of ${w.rows}×${w.cols} are inconsistent (wordsPerRow ${w.wordsPerRow}, ${w.data.length} words, ${expected} needed)`,
    );
  }
}
