import type { BitMatrix } from "./bit-matrix.js";
import { BitopsError } from "./errors.js";

/** Packed words as the word-level functions take them: a Uint32Array, or a BitMatrix (its data). */
export type WordSource = Uint32Array | BitMatrix;

/**
 * The words of `x`, checked at run time: JavaScript callers get a typed error for anything else
 * rather than a silently wrong answer (a BitMatrix indexed as an array reads as all zeros).
 */
export function wordsOf(x: WordSource, what: string): Uint32Array {
  if (x instanceof Uint32Array) return x;
  if (typeof x === "object" && x !== null && (x as BitMatrix).data instanceof Uint32Array) return x.data;
  throw new BitopsError(
    "INVALID_ARGUMENT",
    `${what} must be a Uint32Array or a BitMatrix (from packSigns/packSignsMatrix), got ${describe(x)}`,
  );
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x !== "object") return typeof x;
  return (x as object).constructor?.name ?? "object";
}
