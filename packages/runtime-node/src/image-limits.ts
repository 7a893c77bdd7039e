import { RuntimeError } from "@onebit/runtime";

/**
 * Caps on what one input image file may make the CLI decode, checked from the file's header before
 * any pixel is decoded or allocated (a 70-byte PNG can declare 30000×30000 pixels).
 */
export interface ImageLimits {
  /** Largest width or height of an image, in pixels. Default 16 384 (CLI `--max-image-side`). */
  maxImageSide?: number;
  /**
   * Most pixels one file may hold, all its images together (width × height × count). Default 2²⁶
   * = 67 108 864: an 8192×8192 image or 85 000 MNIST digits (CLI `--max-pixels`).
   */
  maxPixels?: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<Required<ImageLimits>> = {
  maxImageSide: 16_384,
  maxPixels: 2 ** 26,
};

/** The limits in force: the defaults, overridden by `limits`; every value must be a positive integer. */
export function resolveImageLimits(limits: ImageLimits = {}): Required<ImageLimits> {
  const resolved = { ...DEFAULT_IMAGE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `image limit ${name} must be a positive integer, got ${value}`,
      );
  }
  return resolved;
}

/**
 * Throws unless `count` images of `width`×`height` fit the limits. Called with the header's numbers
 * before anything is decoded; the message names the limit, the value and the option that raises it.
 */
export function checkImageSize(
  file: string,
  width: number,
  height: number,
  count: number,
  limits: Required<ImageLimits>,
): void {
  const side = Math.max(width, height);
  if (side > limits.maxImageSide) {
    throw new RuntimeError(
      "LIMIT_EXCEEDED",
      `${file}: the image is ${width}×${height} pixels, larger than the limit of ${limits.maxImageSide} pixels per side (raise it with --max-image-side, or the maxImageSide option)`,
      { limit: { name: "maxImageSide", value: side, max: limits.maxImageSide } },
    );
  }
  const pixels = width * height * count;
  if (pixels > limits.maxPixels) {
    const what = count === 1 ? `${width}×${height}` : `${count} images of ${width}×${height}`;
    throw new RuntimeError(
      "LIMIT_EXCEEDED",
      `${file}: ${what} = ${pixels} pixels, more than the limit of ${limits.maxPixels} pixels per file (raise it with --max-pixels, or the maxPixels option)`,
      { limit: { name: "maxPixels", value: pixels, max: limits.maxPixels } },
    );
  }
}

/** Metadata a PNG may carry beside its pixels (text, ICC profile, EXIF), on top of the pixel bound. */
const METADATA_ALLOWANCE = 16 << 20;

/**
 * The largest input file that can hold images within `limits`: 8 bytes per pixel (16-bit RGBA, even
 * stored uncompressed) plus 16 MiB of metadata. Checked from the file's size before it is read.
 */
export function maxInputFileBytes(limits: Required<ImageLimits>): number {
  return limits.maxPixels * 8 + METADATA_ALLOWANCE;
}

/** Throws LIMIT_EXCEEDED when a `size`-byte file is larger than any image within `limits` needs. */
export function checkInputFileSize(file: string, size: number, limits: Required<ImageLimits>): void {
  const max = maxInputFileBytes(limits);
  if (size > max) {
    throw new RuntimeError(
      "LIMIT_EXCEEDED",
      `${file}: the file is ${size} bytes, more than the ${max} bytes that images within the limit of ${limits.maxPixels} pixels per file can take (raise it with --max-pixels, or the maxPixels option)`,
      {
        limit: {
          name: "maxPixels",
          value: Math.ceil((size - METADATA_ALLOWANCE) / 8),
          max: limits.maxPixels,
        },
      },
    );
  }
}
