import { describe, expect, it } from "vitest";
import { type PoolGeometry, PoolWindow } from "../src/pool-window.js";
import { Rng } from "./random-models.js";

/** The plain loop: every tap of output row r's window, kept when it lies inside the image. */
function insideTaps(g: PoolGeometry, r: number): { sample: number; taps: string[] } {
  const sample = Math.floor(r / (g.outH * g.outW));
  const oy = Math.floor((r % (g.outH * g.outW)) / g.outW);
  const ox = r % g.outW;
  const taps: string[] = [];
  for (let ky = 0; ky < g.poolH; ky++) {
    for (let kx = 0; kx < g.poolW; kx++) {
      const y = oy * g.strideH - g.padTop + ky;
      const x = ox * g.strideW - g.padLeft + kx;
      if (y >= 0 && y < g.height && x >= 0 && x < g.width) taps.push(`${y},${x}`);
    }
  }
  return { sample, taps };
}

function rectangle(w: PoolWindow): string[] {
  const taps: string[] = [];
  for (let y = w.y0; y < w.y1; y++) for (let x = w.x0; x < w.x1; x++) taps.push(`${y},${x}`);
  return taps;
}

describe("PoolWindow = the plain loop over each window's taps", () => {
  it("on random geometries: padding (also wider than the window), strides larger than the window, batches", () => {
    const rng = new Rng(19);
    let strideOverWindow = 0;
    let padded = 0;
    let wholeInPadding = 0;
    for (let trial = 0; trial < 400; trial++) {
      const height = rng.int(1, 9);
      const width = rng.int(1, 9);
      const poolH = rng.int(1, 4);
      const poolW = rng.int(1, 4);
      const strideH = rng.int(1, 5);
      const strideW = rng.int(1, 5);
      const padTop = rng.int(0, poolH + 1);
      const padLeft = rng.int(0, poolW + 1);
      const padBottom = rng.int(0, poolH);
      const padRight = rng.int(0, poolW);
      const outH = Math.floor((height + padTop + padBottom - poolH) / strideH) + 1;
      const outW = Math.floor((width + padLeft + padRight - poolW) / strideW) + 1;
      if (outH < 1 || outW < 1) continue;
      const g: PoolGeometry = { height, width, poolH, poolW, strideH, strideW, padTop, padLeft, outH, outW };
      if (strideH > poolH || strideW > poolW) strideOverWindow++;
      if (padTop + padLeft + padBottom + padRight > 0) padded++;
      const batch = rng.int(1, 3);
      const win = new PoolWindow(g);
      // Rows in a shuffled order: the window must not depend on the row before.
      const rows = Array.from({ length: batch * outH * outW }, (_, r) => r).sort(() => rng.next() - 0.5);
      for (const r of rows) {
        const want = insideTaps(g, r);
        win.at(r);
        expect(win.sample, `trial ${trial} row ${r}`).toBe(want.sample);
        if (want.taps.length === 0) {
          wholeInPadding++;
          expect(win.y1 <= win.y0 || win.x1 <= win.x0, `trial ${trial} row ${r}: empty`).toBe(true);
        } else expect(rectangle(win), `trial ${trial} row ${r}`).toEqual(want.taps);
      }
    }
    // The cases the shapes were drawn for did occur.
    expect(strideOverWindow).toBeGreaterThan(50);
    expect(padded).toBeGreaterThan(50);
    expect(wholeInPadding).toBeGreaterThan(0);
  });
});
