// Scalar kernels: 64-bit XOR + i64.popcnt (one x64 POPCNT each), over weights prepacked in
// 4-column panels interleaved per 64-bit word:
// panel p, word t, column c at w + ((p·kWords64 + t)·4 + c)·8.
import { clearOutputRows, flushTile, panelEnd, panelStart, stashRow0 } from "./epilogue";
import { ROW_BLOCK } from "./row-block";

/**
 * Binary GEMM rows [rowStart, rowEnd): A row m at a + m·aStride (bytes; kWords64 ≥ 1 u64 words —
 * every tile steps one K word at a time, and the folded convolution of half-word-conv.ts passes odd
 * counts), N columns of prepacked weights at w. Writes through the epilogue set by setOutput.
 *
 * Tile: 1 row × 4 columns. Why not wider (measured in V8 11/Node 20 on x64, where the loop is
 * bound by instructions per popcount, not by loads):
 * - TurboFan emits every wasm load of a basic block before the arithmetic that uses it, so a
 *   2×4 tile or a plainly unrolled K loop holds all loaded words live at once and spills them
 *   (and the accumulators); 12 allocatable registers fit 4 accumulators + 5 loaded words + pointers.
 * - The weight word is the left operand of the XOR: x64's two-operand XOR overwrites its first
 *   input, so `w ^ x` consumes the freshly loaded w, while `x ^ w` copies x first (one extra
 *   instruction per popcount, ~11 % slower). Binaryen keeps the order.
 * V8 unrolls this small loop itself (without the per-iteration stack check).
 */
export function gemm(
  rowStart: i32,
  rowEnd: i32,
  a: usize,
  aStride: usize,
  w: usize,
  n: i32,
  kWords64: i32,
): void {
  clearOutputRows(rowStart, rowEnd);
  const p0 = panelStart();
  const p1 = panelEnd();
  const panelBytes = (<usize>kWords64) << 5;
  const kBytes = (<usize>kWords64) << 3;
  for (let m0 = rowStart; m0 < rowEnd; m0 += ROW_BLOCK) {
    const m1 = min(m0 + ROW_BLOCK, rowEnd);
    for (let p = p0; p < p1; p++) {
      const wp = w + <usize>p * panelBytes;
      const j = p << 2;
      for (let m = m0; m < m1; m++) {
        let pa = a + <usize>m * aStride;
        const end = pa + kBytes;
        let q = wp;
        let c0: i64 = 0,
          c1: i64 = 0,
          c2: i64 = 0,
          c3: i64 = 0;
        // Two K words per iteration, split by an exit test: the test keeps the first word's
        // arithmetic in its own block, so V8 cannot hoist the second word's loads above it (no
        // spills), while the pointers advance once per two words. Correct for any word count.
        const last = end - 8;
        while (pa < end) {
          let x = load<u64>(pa);
          c0 += popcnt(load<u64>(q) ^ x);
          c1 += popcnt(load<u64>(q, 8) ^ x);
          c2 += popcnt(load<u64>(q, 16) ^ x);
          c3 += popcnt(load<u64>(q, 24) ^ x);
          if (pa >= last) break;
          x = load<u64>(pa, 8);
          c0 += popcnt(load<u64>(q, 32) ^ x);
          c1 += popcnt(load<u64>(q, 40) ^ x);
          c2 += popcnt(load<u64>(q, 48) ^ x);
          c3 += popcnt(load<u64>(q, 56) ^ x);
          pa += 16;
          q += 64;
        }
        stashRow0(c0, c1, c2, c3);
        flushTile(m, j, 1);
      }
    }
  }
}
