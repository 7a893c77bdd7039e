import type { PackedWeights } from "@onebit/bitops";

/**
 * Prepacked weights for the bit-plane GEMM with each row cut to an even word count (64-bit words)
 * instead of the binary kernels' multiple of 4. The bit-plane kernel steps one 64-bit word at a
 * time, so the 128-bit padding only added work: a 5×5×1 first conv (K = 25) has 1 word per plane
 * instead of 2, and its im2col rows shrink with it. The panel layout (4 columns per 64-bit word)
 * is unchanged; the dropped words were zero padding.
 */
export function planeWeights(packed: PackedWeights, k: number): { data: Uint32Array; kWords: number } {
  const pairs = Math.ceil(k / 64);
  const kWords = 2 * pairs;
  const oldPairs = packed.wordsPerRow >>> 1;
  if (pairs === oldPairs) return { data: packed.data, kWords };
  const data = new Uint32Array(packed.panels * pairs * 8);
  for (let p = 0; p < packed.panels; p++) {
    data.set(packed.data.subarray(p * oldPairs * 8, (p * oldPairs + pairs) * 8), p * pairs * 8);
  }
  return { data, kWords };
}
