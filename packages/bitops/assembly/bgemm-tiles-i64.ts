// Alternative scalar tiles for the per-machine autotuner (src/kernels/gemm-tiles.ts): same
// prepacked panels, same epilogue and results bit for bit as bgemm-1x4-i64.ts's gemm; which one is
// fastest depends on the core (POPCNT ports, load ports, renamer width), so the choice is measured.
import { clearOutputRows, flushTile, panelEnd, panelStart, stashRow0, stashRow1 } from "./epilogue";
import { ROW_BLOCK } from "./row-block";

/**
 * 1 row × 4 columns with four K words per iteration, each after its own exit test (fewer pointer
 * updates and loop-back branches per popcount than two words; the tests keep each word's loads in
 * their own basic block, so nothing spills).
 */
export function gemm1x4k4(
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
        while (true) {
          let x = load<u64>(pa);
          c0 += popcnt(load<u64>(q) ^ x);
          c1 += popcnt(load<u64>(q, 8) ^ x);
          c2 += popcnt(load<u64>(q, 16) ^ x);
          c3 += popcnt(load<u64>(q, 24) ^ x);
          if (pa + 8 >= end) break;
          x = load<u64>(pa, 8);
          c0 += popcnt(load<u64>(q, 32) ^ x);
          c1 += popcnt(load<u64>(q, 40) ^ x);
          c2 += popcnt(load<u64>(q, 48) ^ x);
          c3 += popcnt(load<u64>(q, 56) ^ x);
          if (pa + 16 >= end) break;
          x = load<u64>(pa, 16);
          c0 += popcnt(load<u64>(q, 64) ^ x);
          c1 += popcnt(load<u64>(q, 72) ^ x);
          c2 += popcnt(load<u64>(q, 80) ^ x);
          c3 += popcnt(load<u64>(q, 88) ^ x);
          if (pa + 24 >= end) break;
          x = load<u64>(pa, 24);
          c0 += popcnt(load<u64>(q, 96) ^ x);
          c1 += popcnt(load<u64>(q, 104) ^ x);
          c2 += popcnt(load<u64>(q, 112) ^ x);
          c3 += popcnt(load<u64>(q, 120) ^ x);
          pa += 32;
          q += 128;
          if (pa >= end) break;
        }
        stashRow0(c0, c1, c2, c3);
        flushTile(m, j, 1);
      }
    }
  }
}

/**
 * 2 rows × 2 columns (each 4-column panel in two halves): one load per popcount instead of 1.25,
 * at the same register count as 1×4. The last row of an odd range runs as 1 row × 2 columns.
 */
export function gemm2x2(
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
      for (let m = m0; m < m1; m += 2) {
        const two = m + 1 < m1;
        const ra = a + <usize>m * aStride;
        // A missing second row reads the first again; its results are not emitted.
        const rb = two ? ra + aStride : ra;
        // Columns 0–1 (bytes 0–15 of each panel word group), then 2–3 (bytes 16–31).
        let h00: i64 = 0,
          h01: i64 = 0,
          h10: i64 = 0,
          h11: i64 = 0;
        for (let half: usize = 0; half < 32; half += 16) {
          let pa = ra;
          let pb = rb;
          const end = pa + kBytes;
          let q = wp + half;
          let c00: i64 = 0,
            c01: i64 = 0,
            c10: i64 = 0,
            c11: i64 = 0;
          while (pa < end) {
            const x0 = load<u64>(pa);
            const x1 = load<u64>(pb);
            const w0 = load<u64>(q);
            const w1 = load<u64>(q, 8);
            c00 += popcnt(w0 ^ x0);
            c01 += popcnt(w1 ^ x0);
            c10 += popcnt(w0 ^ x1);
            c11 += popcnt(w1 ^ x1);
            pa += 8;
            pb += 8;
            q += 32;
          }
          if (half == 0) {
            h00 = c00;
            h01 = c01;
            h10 = c10;
            h11 = c11;
          } else {
            stashRow0(h00, h01, c00, c01);
            stashRow1(h10, h11, c10, c11);
          }
        }
        flushTile(m, j, two ? 2 : 1);
      }
    }
  }
}
