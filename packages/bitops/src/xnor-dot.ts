import { lastWordMask } from "./bit-matrix.js";
import { BitopsError, assertNonNegativeInteger } from "./errors.js";
import { popcount32 } from "./popcount.js";
import { type WordSource, wordsOf } from "./word-source.js";

/**
 * Dot product of two packed ±1 vectors of length k: k − 2·popcount(a ⊕ b).
 * Reads ceil(k/32) words from each array (or BitMatrix, e.g. from `packSigns`) starting at the
 * given word offsets; bits past k are masked off, so it is exact whatever the padding holds.
 */
export function xnorDot(aWords: WordSource, bWords: WordSource, k: number, aOffset = 0, bOffset = 0): number {
  const a = wordsOf(aWords, "xnorDot: a");
  const b = wordsOf(bWords, "xnorDot: b");
  if (!Number.isInteger(k) || k < 0)
    throw new BitopsError("INVALID_ARGUMENT", `xnorDot: k must be a non-negative integer, got ${k}`);
  assertNonNegativeInteger(aOffset, "xnorDot: aOffset");
  assertNonNegativeInteger(bOffset, "xnorDot: bOffset");
  const words = Math.ceil(k / 32);
  if (aOffset + words > a.length || bOffset + words > b.length) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `xnorDot: k = ${k} needs ${words} words from offsets ${aOffset}/${bOffset}, arrays hold ${a.length}/${b.length}`,
    );
  }
  if (words === 0) return 0;
  let diff = 0;
  for (let w = 0; w < words - 1; w++) diff += popcount32(a[aOffset + w]! ^ b[bOffset + w]!);
  diff += popcount32((a[aOffset + words - 1]! ^ b[bOffset + words - 1]!) & lastWordMask(k));
  return k - 2 * diff;
}
