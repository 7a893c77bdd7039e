import { describe, expect, it } from "vitest";
import { type PhotoPreprocessing, photoPreprocessingFromMetadata, preprocessPhoto } from "../src/index.js";
import { catchError, seeded } from "./rng.js";

// Photo preprocessing (centre crop, resize, per-channel normalization), checked against a plain
// per-pixel reference written from TensorFlow 1's resize_bicubic / resize_bilinear definitions, and
// the metadata reader against the keys @onebit/lce writes.

const LARQ: PhotoPreprocessing = {
  resize: "bicubic",
  centerCropFraction: 224 / 256,
  mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
  std: [0.229 * 255, 0.224 * 255, 0.225 * 255],
};

/** Kernel weight of a source pixel at distance d from the sample point. */
function weight(resize: PhotoPreprocessing["resize"], d: number): number {
  const t = Math.abs(d);
  if (resize === "bilinear") return Math.max(0, 1 - t);
  const a = -0.75;
  if (t <= 1) return (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1;
  if (t < 2) return a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a;
  return 0;
}

/** One output value, summed over every source pixel of the crop within the kernel's reach (edges clamped). */
function reference(
  img: { width: number; height: number; channels: number; data: Uint8Array },
  oh: number,
  ow: number,
  p: PhotoPreprocessing,
  y: number,
  x: number,
  c: number,
): number {
  const crop = Math.trunc(p.centerCropFraction * Math.min(img.height, img.width));
  const top = Math.floor((img.height - crop + 1) / 2);
  const left = Math.floor((img.width - crop + 1) / 2);
  const sy = (y * crop) / oh;
  const sx = (x * crop) / ow;
  const clamp = (i: number) => Math.min(crop - 1, Math.max(0, i));
  let v = 0;
  for (let j = Math.floor(sy) - 2; j <= Math.floor(sy) + 2; j++)
    for (let i = Math.floor(sx) - 2; i <= Math.floor(sx) + 2; i++) {
      const w = weight(p.resize, sy - j) * weight(p.resize, sx - i);
      if (w === 0) continue;
      const pixel = (top + clamp(j)) * img.width + left + clamp(i);
      v += w * img.data[pixel * img.channels + (img.channels === 1 ? 0 : c)]!;
    }
  return (v - p.mean[c]!) / p.std[c]!;
}

describe("preprocessPhoto", () => {
  const rng = seeded(16);
  const below = (n: number) => rng.nextUint32() % n;

  for (const resize of ["bicubic", "bilinear"] as const) {
    it(`matches the per-pixel reference on random images (${resize})`, () => {
      for (let trial = 0; trial < 6; trial++) {
        const img = {
          width: 5 + below(60),
          height: 5 + below(60),
          channels: [1, 3, 4][below(3)]!,
          data: new Uint8Array(0),
        };
        img.data = Uint8Array.from({ length: img.width * img.height * img.channels }, () => below(256));
        const [oh, ow] = [3 + below(20), 3 + below(20)];
        const p = { ...LARQ, resize, centerCropFraction: [1, 0.875, 0.5][below(3)]! };
        const out = preprocessPhoto(img, { height: oh, width: ow }, p);
        expect(out.length).toBe(oh * ow * 3);
        for (let k = 0; k < 40; k++) {
          const [y, x, c] = [below(oh), below(ow), below(3)];
          expect(out[(y * ow + x) * 3 + c]).toBeCloseTo(reference(img, oh, ow, p, y, x, c), 3);
        }
      }
    });
  }

  it("maps a flat colour to (v − mean) / std everywhere (the kernel weights sum to 1)", () => {
    const img = { width: 300, height: 200, channels: 3, data: new Uint8Array(300 * 200 * 3) };
    for (let i = 0; i < img.data.length; i++) img.data[i] = [200, 100, 50][i % 3]!;
    const out = preprocessPhoto(img, { height: 224, width: 224 }, LARQ);
    let worst = 0;
    for (let i = 0; i < out.length; i++)
      worst = Math.max(
        worst,
        Math.abs(out[i]! - ([200, 100, 50][i % 3]! - LARQ.mean[i % 3]!) / LARQ.std[i % 3]!),
      );
    expect(worst).toBeLessThan(1e-4);
  });

  it("refuses empty images, short buffers, odd channel counts and bad output sizes", () => {
    const ok = { width: 4, height: 4, channels: 3, data: new Uint8Array(48) };
    const size = { height: 2, width: 2 };
    expect(catchError(() => preprocessPhoto({ ...ok, width: 0 }, size, LARQ)).code).toBe("INVALID_ARGUMENT");
    expect(
      catchError(() => preprocessPhoto({ ...ok, data: new Uint8Array(47) }, size, LARQ)).message,
    ).toMatch(/47 values/);
    expect(catchError(() => preprocessPhoto({ ...ok, channels: 2 }, size, LARQ)).code).toBe(
      "INVALID_ARGUMENT",
    );
    expect(catchError(() => preprocessPhoto(ok, { height: 0, width: 2 }, LARQ)).code).toBe(
      "INVALID_ARGUMENT",
    );
  });
});

describe("photoPreprocessingFromMetadata", () => {
  // The keys @onebit/lce writes for LARQ_ZOO_PREPROCESSING (nested values as dotted keys, arrays as text).
  const stored = {
    source: "quicknet.tflite",
    "preprocessing.source": "larq_zoo preprocess_input",
    "preprocessing.resize": "bicubic",
    "preprocessing.centerCropFraction": 0.875,
    "preprocessing.mean": LARQ.mean.join(","),
    "preprocessing.std": LARQ.std.join(","),
  };

  it("reads the recipe @onebit/lce stores", () => {
    expect(photoPreprocessingFromMetadata(stored)).toEqual(LARQ);
  });

  it("is undefined for a model without one", () => {
    expect(photoPreprocessingFromMetadata(undefined)).toBeUndefined();
    expect(photoPreprocessingFromMetadata({ source: "x" })).toBeUndefined();
  });

  it("names the malformed key instead of guessing", () => {
    const e = catchError(() => photoPreprocessingFromMetadata({ ...stored, "preprocessing.std": "1,0,1" }));
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toMatch(/preprocessing\.std/);
    expect(
      catchError(() => photoPreprocessingFromMetadata({ ...stored, "preprocessing.resize": "lanczos" }))
        .message,
    ).toMatch(/preprocessing\.resize.*lanczos/);
    expect(
      catchError(() => photoPreprocessingFromMetadata({ ...stored, "preprocessing.mean": "1,2" })).message,
    ).toMatch(/preprocessing\.mean/);
  });
});
