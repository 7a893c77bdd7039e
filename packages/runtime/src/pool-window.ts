import type { PoolGeometry } from "./plan.js";

export type { PoolGeometry };

/**
 * The window of one output pixel of a pool with any stride and padding, clipped to the image (the
 * padding is left out, as max and average pools both do): sample `sample`, input rows [y0, y1),
 * columns [x0, x1). Empty (y1 ≤ y0 or x1 ≤ x0) only when the window lies wholly in the padding.
 * One object per step call, moved from row to row, so the row loops allocate nothing.
 */
export class PoolWindow {
  sample = 0;
  y0 = 0;
  y1 = 0;
  x0 = 0;
  x1 = 0;
  private readonly outHW: number;

  constructor(private readonly g: PoolGeometry) {
    this.outHW = g.outH * g.outW;
  }

  /** Moves to output row `r` (output pixels of the batch, sample-major, row-major within one). */
  at(r: number): this {
    const g = this.g;
    const b = Math.floor(r / this.outHW);
    const rem = r - b * this.outHW;
    const oy = Math.floor(rem / g.outW);
    const top = oy * g.strideH - g.padTop;
    const left = (rem - oy * g.outW) * g.strideW - g.padLeft;
    this.sample = b;
    this.y0 = Math.max(top, 0);
    this.y1 = Math.min(top + g.poolH, g.height);
    this.x0 = Math.max(left, 0);
    this.x1 = Math.min(left + g.poolW, g.width);
    return this;
  }
}
