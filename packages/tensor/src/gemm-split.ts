/** The micro-kernel's tile (assembly/gemm.ts): splits fall on tile boundaries so no tile is cut. */
const MR = 2;
const NR = 16;
/** Up to this many rows the kernel streams B instead of packing it (assembly/gemm.ts SMALL_M). */
const SMALL_M = 3;

/**
 * Below this many multiply-adds a product stays on the calling thread: waking a worker and waiting
 * for it costs tens of microseconds, about what 1–2 M multiply-adds take on one core.
 */
export const THREAD_MIN_MACS = 1 << 21;

export interface GemmBlock {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

/** `parts` near-equal ranges of `units` units of `size` each, clipped to `total`. */
function ranges(total: number, size: number, parts: number): [number, number][] {
  const units = Math.ceil(total / size);
  const out: [number, number][] = [];
  for (let t = 0; t < parts; t++) {
    const lo = Math.min(total, Math.floor((t * units) / parts) * size);
    const hi = Math.min(total, Math.floor(((t + 1) * units) / parts) * size);
    out.push([lo, hi]);
  }
  return out;
}

/**
 * Splits C (m×n) into at most `threads` blocks of near-equal work, over outputs only (never over k,
 * so every element is summed exactly as on one thread). Columns are preferred when m ≤ n: each
 * thread then packs only its own panels of B and repacks the smaller A; otherwise rows, where each
 * repacks B. Small products, and those too narrow to give every thread two tiles, stay whole.
 */
export function splitGemm(
  m: number,
  n: number,
  k: number,
  threads: number,
  minMacs: number = THREAD_MIN_MACS,
): GemmBlock[] {
  const whole: GemmBlock[] = [{ i0: 0, i1: m, j0: 0, j1: n }];
  if (threads < 2 || m * n * k < minMacs) return whole;
  const panels = Math.ceil(n / NR);
  const rowTiles = Math.ceil(m / MR);
  const columnsFit = panels >= 2 * threads;
  const rowsFit = m > SMALL_M && rowTiles >= 2 * threads;
  if (columnsFit && (m <= n || !rowsFit)) {
    return ranges(n, NR, threads).map(([j0, j1]) => ({ i0: 0, i1: m, j0, j1 }));
  }
  if (rowsFit) return ranges(m, MR, threads).map(([i0, i1]) => ({ i0, i1, j0: 0, j1: n }));
  return whole;
}
