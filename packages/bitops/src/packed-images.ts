import { BitopsError, assertNonNegativeInteger } from "./errors.js";
import type { SignSource } from "./pack.js";

/**
 * A batch of ±1 images in packed NHWC: each pixel's C channels pack into wordsPerPixel =
 * ceil(C/32) consecutive words (bit c % 32 of word c >> 5 is channel c; bits past C are zero);
 * pixel (b, y, x) starts at word ((b·height + y)·width + x)·wordsPerPixel.
 */
export interface PackedImages {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly wordsPerPixel: number;
  readonly data: Uint32Array;
}

export function createPackedImages(
  batch: number,
  height: number,
  width: number,
  channels: number,
): PackedImages {
  for (const [v, what] of [
    [batch, "batch"],
    [height, "height"],
    [width, "width"],
    [channels, "channels"],
  ] as const) {
    assertNonNegativeInteger(v, what);
  }
  const wordsPerPixel = Math.ceil(channels / 32);
  return {
    batch,
    height,
    width,
    channels,
    wordsPerPixel,
    data: new Uint32Array(batch * height * width * wordsPerPixel),
  };
}

/** Packs NHWC values by sign (v ≥ 0 → 1, v < 0 → 0; NaN rejected). */
export function packImages(
  values: SignSource,
  batch: number,
  height: number,
  width: number,
  channels: number,
): PackedImages {
  const x = createPackedImages(batch, height, width, channels);
  if (values.length !== batch * height * width * channels) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `packImages: ${values.length} values cannot form ${batch}×${height}×${width}×${channels} images`,
    );
  }
  const pixels = batch * height * width;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) {
      const v = values[p * channels + c] as number;
      if (v >= 0) x.data[p * x.wordsPerPixel + (c >>> 5)]! |= 1 << (c & 31);
      else if (!(v < 0)) {
        throw new BitopsError("NON_FINITE", `packImages: NaN at pixel ${p}, channel ${c} has no sign`);
      }
    }
  }
  return x;
}

/** Unpacks to NHWC ±1 floats. */
export function unpackImages(x: PackedImages): Float32Array {
  validatePackedImages(x, "unpackImages");
  const pixels = x.batch * x.height * x.width;
  const out = new Float32Array(pixels * x.channels);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < x.channels; c++) {
      out[p * x.channels + c] = (x.data[p * x.wordsPerPixel + (c >>> 5)]! >>> (c & 31)) & 1 ? 1 : -1;
    }
  }
  return out;
}

export function validatePackedImages(x: PackedImages, where: string): void {
  const wpp = Math.ceil(x.channels / 32);
  const needed = x.batch * x.height * x.width * wpp;
  if (x.wordsPerPixel !== wpp || x.data.length < needed) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `${where}: ${x.batch}×${x.height}×${x.width}×${x.channels} packed images need ${wpp} words per pixel and ${needed} words (have ${x.wordsPerPixel}, ${x.data.length})`,
    );
  }
}

/** Bit of channel c of pixel index p. */
export function imageBit(x: PackedImages, pixel: number, c: number): number {
  return (x.data[pixel * x.wordsPerPixel + (c >>> 5)]! >>> (c & 31)) & 1;
}
