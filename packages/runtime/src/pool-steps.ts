import type { MemoryViews } from "./memory-views.js";
import type { GenericPoolStep } from "./plan.js";
import { PoolWindow } from "./pool-window.js";

/**
 * Output pixels [rowStart, rowEnd) of a float max-pool (a `genericPool` step of kind float32, whose
 * `depth` is the channel count): the window (clipped to the image) is found
 * once per pixel, then each window pixel is folded into the output with the channel loop innermost
 * (contiguous NHWC rows, no bounds checks or per-element dispatch). Math.max over the same values
 * as `floatMaxPoolRowsReference` (NaN wins, +0 over −0 either way), so the results are identical.
 */
export function floatMaxPoolRows(v: MemoryViews, s: GenericPoolStep, rowStart: number, rowEnd: number): void {
  const f32 = v.f32;
  const c = s.depth;
  const { height, width } = s;
  const win = new PoolWindow(s);
  for (let r = rowStart; r < rowEnd; r++) {
    const { sample, y0, y1, x0, x1 } = win.at(r);
    const img = (s.input >>> 2) + sample * height * width * c;
    const out = (s.out >>> 2) + r * c;
    if (y1 <= y0 || x1 <= x0) {
      f32.fill(Number.NEGATIVE_INFINITY, out, out + c);
      continue;
    }
    const first = img + (y0 * width + x0) * c;
    for (let ch = 0; ch < c; ch++) f32[out + ch] = f32[first + ch]!;
    for (let y = y0; y < y1; y++)
      for (let x = y === y0 ? x0 + 1 : x0; x < x1; x++) {
        const p = img + (y * width + x) * c;
        for (let ch = 0; ch < c; ch++) f32[out + ch] = Math.max(f32[out + ch]!, f32[p + ch]!);
      }
  }
}

/** The plain loop (the fast path's reference): per output element, Math.max over its window from −∞. */
export function floatMaxPoolRowsReference(
  v: MemoryViews,
  s: GenericPoolStep,
  rowStart: number,
  rowEnd: number,
): void {
  const c = s.depth;
  const win = new PoolWindow(s);
  for (let r = rowStart; r < rowEnd; r++) {
    const { sample, y0, y1, x0, x1 } = win.at(r);
    const img = (s.input >>> 2) + sample * s.height * s.width * c;
    for (let ch = 0; ch < c; ch++) {
      let acc = Number.NEGATIVE_INFINITY;
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) acc = Math.max(acc, v.f32[img + (y * s.width + x) * c + ch]!);
      v.f32[(s.out >>> 2) + r * c + ch] = acc;
    }
  }
}
