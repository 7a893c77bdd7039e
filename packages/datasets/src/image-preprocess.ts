import { DatasetError } from "./errors.js";

// A photograph prepared the way ImageNet classifiers were trained on it: a centred square crop of the
// shorter side, resized to the model's input, then (x − mean) / std per RGB channel on 0…255 values.
// The recipe comes from the model's metadata — @onebit/lce records Larq Zoo's as dotted keys
// `preprocessing.*` in `metadata.extra` — so the CLI and the demo apply exactly what the model expects.

/** How a model's photos are prepared (what @onebit/lce stores as `metadata.extra["preprocessing.*"]`). */
export interface PhotoPreprocessing {
  /**
   * Resampling of the crop: "bicubic" is TensorFlow 1's `resize_bicubic` (Keys kernel, a = −0.75,
   * source = destination · scale, edges clamped); "bilinear" its `resize_bilinear` (same coordinates).
   */
  readonly resize: "bicubic" | "bilinear";
  /** The crop's side as a fraction of the image's shorter side (Larq Zoo: 224/256), centred. */
  readonly centerCropFraction: number;
  /** Per-channel (R, G, B) mean and standard deviation, on 0…255 values. */
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** Pixels of one image: `channels` bytes per pixel (1 grey, 3 RGB, 4 RGBA — alpha is ignored), rows top-down. */
export interface PixelImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: ArrayLike<number>;
}

const triple = (text: unknown): [number, number, number] | undefined => {
  if (typeof text !== "string") return undefined;
  const values = text.split(",").map(Number);
  return values.length === 3 && values.every(Number.isFinite)
    ? (values as [number, number, number])
    : undefined;
};

/**
 * The photo preprocessing a model's metadata records (`extra["preprocessing.resize"]`, `….centerCropFraction`,
 * `….mean`, `….std`), or undefined when it records none. A recipe that is present but malformed is a
 * DatasetError "INVALID_ARGUMENT" naming the key — never silently replaced by a default.
 */
export function photoPreprocessingFromMetadata(
  extra: Readonly<Record<string, unknown>> | undefined,
): PhotoPreprocessing | undefined {
  if (!extra || !Object.keys(extra).some((key) => key.startsWith("preprocessing."))) return undefined;
  const bad = (key: string, why: string) =>
    new DatasetError(
      "INVALID_ARGUMENT",
      `model metadata extra["preprocessing.${key}"] ${why}, got ${JSON.stringify(extra[`preprocessing.${key}`])}`,
    );
  const resize = extra["preprocessing.resize"];
  if (resize !== "bicubic" && resize !== "bilinear") throw bad("resize", 'must be "bicubic" or "bilinear"');
  const fraction = extra["preprocessing.centerCropFraction"] ?? 1;
  if (typeof fraction !== "number" || !(fraction > 0 && fraction <= 1))
    throw bad("centerCropFraction", "must be a number in (0, 1]");
  const mean = triple(extra["preprocessing.mean"]);
  if (!mean) throw bad("mean", "must be three comma-separated numbers (R,G,B)");
  const std = triple(extra["preprocessing.std"]);
  if (!std?.every((s) => s > 0)) throw bad("std", "must be three comma-separated positive numbers");
  return { resize, centerCropFraction: fraction, mean, std };
}

function keys(x: number): number {
  const a = -0.75;
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/** For each output index: the source indices (clamped into [0, n)) and weights of the resampling kernel. */
function taps(outSize: number, inSize: number, resize: PhotoPreprocessing["resize"]) {
  const scale = inSize / outSize;
  const clamp = (i: number) => Math.min(inSize - 1, Math.max(0, i));
  return Array.from({ length: outSize }, (_, o) => {
    const source = o * scale;
    const base = Math.floor(source);
    if (resize === "bilinear")
      return [
        { index: clamp(base), weight: 1 - (source - base) },
        { index: clamp(base + 1), weight: source - base },
      ];
    return [-1, 0, 1, 2].map((k) => ({ index: clamp(base + k), weight: keys(source - (base + k)) }));
  });
}

/**
 * The model input for one photo: NHWC float32 of `height`×`width`×3 (no batch axis), from a centred
 * crop of ⌊fraction · min(h, w)⌋ pixels at offset ⌊(side − crop + 1)/2⌋, resized, then normalized per
 * channel. Grey images are replicated to RGB. Throws DatasetError "INVALID_ARGUMENT" for an empty image,
 * a buffer shorter than its size says, or an output size that is not a positive integer.
 */
export function preprocessPhoto(
  image: PixelImage,
  output: { readonly height: number; readonly width: number },
  recipe: PhotoPreprocessing,
): Float32Array {
  const { width, height, channels, data } = image;
  if (!(Number.isSafeInteger(width) && Number.isSafeInteger(height) && width > 0 && height > 0))
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `image size must be positive integers, got ${width}×${height}`,
    );
  if (![1, 3, 4].includes(channels))
    throw new DatasetError("INVALID_ARGUMENT", `image channels must be 1, 3 or 4, got ${channels}`);
  if (data.length < width * height * channels)
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `image data holds ${data.length} values, ${width}×${height}×${channels} = ${width * height * channels} needed`,
    );
  const { height: oh, width: ow } = output;
  if (!(Number.isSafeInteger(oh) && Number.isSafeInteger(ow) && oh > 0 && ow > 0))
    throw new DatasetError("INVALID_ARGUMENT", `output size must be positive integers, got ${ow}×${oh}`);
  const crop = Math.max(1, Math.trunc(recipe.centerCropFraction * Math.min(height, width)));
  const top = Math.floor((height - crop + 1) / 2);
  const left = Math.floor((width - crop + 1) / 2);
  const rows = taps(oh, crop, recipe.resize);
  const cols = taps(ow, crop, recipe.resize);
  const out = new Float32Array(oh * ow * 3);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      for (let c = 0; c < 3; c++) {
        const channel = channels === 1 ? 0 : c;
        let v = 0;
        for (const r of rows[y]!) {
          const row = (top + r.index) * width + left;
          for (const q of cols[x]!) v += r.weight * q.weight * data[(row + q.index) * channels + channel]!;
        }
        out[(y * ow + x) * 3 + c] = (v - recipe.mean[c]!) / recipe.std[c]!;
      }
    }
  }
  return out;
}
