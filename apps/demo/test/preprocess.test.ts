import { loadMnist } from "@onebit/datasets/node";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BOX, type GreyImage, SIDE, inkBounds, resampleArea, toMnistInput } from "../src/preprocess.js";

// The drawing → model input step, checked against what MNIST's own preparation guarantees.

function centreOfMass(x: Uint8Array): [number, number] {
  let m = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < x.length; i++) {
    m += x[i]!;
    cx += x[i]! * ((i % SIDE) + 0.5);
    cy += x[i]! * (Math.floor(i / SIDE) + 0.5);
  }
  return [cx / m, cy / m];
}

/** Nearest-neighbour enlargement, as the page paints a digit on its 280×280 pad. */
function enlarge(x: ArrayLike<number>, side: number, factor: number): GreyImage {
  const w = side * factor;
  const data = new Uint8Array(w * w);
  for (let y = 0; y < w; y++)
    for (let i = 0; i < w; i++) data[y * w + i] = x[Math.floor(y / factor) * side + Math.floor(i / factor)]!;
  return { width: w, height: w, data };
}

const blobs = fc
  .record({
    width: fc.integer({ min: 1, max: 60 }),
    height: fc.integer({ min: 1, max: 60 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    density: fc.double({ min: 0.05, max: 1, noNaN: true }),
  })
  .map(({ width, height, seed, density }) => {
    let s = seed;
    const data = Uint8Array.from({ length: width * height }, () => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x7fffffff < density ? 1 + (s % 255) : 0;
    });
    return { width, height, data };
  });

describe("toMnistInput", () => {
  it("returns nothing for a blank drawing", () => {
    expect(toMnistInput({ width: 280, height: 280, data: new Uint8Array(280 * 280) })).toBeUndefined();
  });

  it("fits the ink into 20×20 and centres its centre of mass", () => {
    fc.assert(
      fc.property(blobs, (image) => {
        const x = toMnistInput(image);
        if (!inkBounds(image)) {
          expect(x).toBeUndefined();
          return;
        }
        expect(x).toHaveLength(SIDE * SIDE);
        const b = inkBounds({ width: SIDE, height: SIDE, data: x! });
        if (!b) return; // a few faint pixels can average to zero
        expect(b[2] - b[0]).toBeLessThanOrEqual(BOX);
        expect(b[3] - b[1]).toBeLessThanOrEqual(BOX);
        // Off by up to half a pixel (a whole-pixel shift) plus what rounding faint pixels moves —
        // unless the digit is so lopsided that centring it would push it out of the field.
        const [cx, cy] = centreOfMass(x!);
        const flushX = b[0] <= 1 || b[2] >= SIDE - 1;
        const flushY = b[1] <= 1 || b[3] >= SIDE - 1;
        if (!flushX) expect(Math.abs(cx - SIDE / 2)).toBeLessThanOrEqual(1.5);
        if (!flushY) expect(Math.abs(cy - SIDE / 2)).toBeLessThanOrEqual(1.5);
      }),
      { numRuns: 300 },
    );
  });

  it("preserves ink: the mean of a resampled area is the mean of its source", () => {
    fc.assert(
      fc.property(blobs, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), (image, w, h) => {
        const region = [0, 0, image.width, image.height] as const;
        const out = resampleArea(image, region, w, h);
        const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
        expect(mean(out)).toBeCloseTo(mean(image.data), 6);
      }),
    );
  });

  it("gives back (nearly) the MNIST digit painted 10× larger", async () => {
    const { images, count } = await loadMnist({ split: "test", limit: 50 });
    let totalDiff = 0;
    for (let n = 0; n < count; n++) {
      const digit = images.subarray(n * 784, (n + 1) * 784);
      const x = toMnistInput(enlarge(digit, SIDE, 10))!;
      let diff = 0;
      for (let i = 0; i < 784; i++) diff += Math.abs(x[i]! - digit[i]!);
      totalDiff += diff / 784;
    }
    // MNIST digits are already 20-pixel-boxed and centred, so re-preparing one moves it a pixel at most.
    expect(totalDiff / count).toBeLessThan(25);
  });
});
