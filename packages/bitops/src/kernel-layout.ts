/**
 * Geometry of the kernels' operands. Weights are prepacked into panels of PANEL_COLUMNS output
 * columns; every row of K bits (activations and weights) spans a multiple of KERNEL_WORD_MULTIPLE
 * 32-bit words (128 bits), so the kernels can step two 64-bit words at a time and load v128s.
 */
import { wordsFor } from "./bit-matrix.js";

export const PANEL_COLUMNS = 4;
export const KERNEL_WORD_MULTIPLE = 4;
/** Byte alignment of every pointer handed to the kernels. */
export const KERNEL_ALIGN = 16;

/** 32-bit words per kernel row of k bits: ceil(k/32) rounded up to a multiple of 4. */
export function kernelRowWords(k: number): number {
  return wordsFor(k, KERNEL_WORD_MULTIPLE);
}

/** Number of 4-column panels for n outputs. */
export function panelCount(n: number): number {
  return Math.ceil(n / PANEL_COLUMNS);
}
