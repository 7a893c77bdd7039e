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
  // The geometry in own fields: read in every row, so no load through the step object.
  private readonly outHW: number;
  private readonly outW: number;
  private readonly strideH: number;
  private readonly strideW: number;
  private readonly padTop: number;
  private readonly padLeft: number;
  private readonly poolH: number;
  private readonly poolW: number;
  private readonly height: number;
  private readonly width: number;

  constructor(g: PoolGeometry) {
    this.outHW = g.outH * g.outW;
    this.outW = g.outW;
    this.strideH = g.strideH;
    this.strideW = g.strideW;
    this.padTop = g.padTop;
    this.padLeft = g.padLeft;
    this.poolH = g.poolH;
    this.poolW = g.poolW;
    this.height = g.height;
    this.width = g.width;
  }

  /** Moves to output row `r` (output pixels of the batch, sample-major, row-major within one). */
  at(r: number): this {
    const b = Math.floor(r / this.outHW);
    const rem = r - b * this.outHW;
    const oy = Math.floor(rem / this.outW);
    const top = oy * this.strideH - this.padTop;
    const left = (rem - oy * this.outW) * this.strideW - this.padLeft;
    this.sample = b;
    this.y0 = Math.max(top, 0);
    this.y1 = Math.min(top + this.poolH, this.height);
    this.x0 = Math.max(left, 0);
    this.x1 = Math.min(left + this.poolW, this.width);
    return this;
  }
}
