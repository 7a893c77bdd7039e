import { BitopsError } from "./errors.js";
import { type WordSource, wordsOf } from "./word-source.js";

/** Number of set bits of a 32-bit word (SWAR, no tables). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Set bits in words[start, end) (of a Uint32Array, or of a BitMatrix's data). */
export function popcountRange(source: WordSource, start = 0, end?: number): number {
  const words = wordsOf(source, "popcountRange: words");
  end ??= words.length;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > words.length || start > end) {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      `popcountRange: [${start}, ${end}) is outside 0..${words.length}`,
    );
  }
  let total = 0;
  for (let i = start; i < end; i++) total += popcount32(words[i]!);
  return total;
}
