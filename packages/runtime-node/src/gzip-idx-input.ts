// Gzip-compressed IDX inputs (the way MNIST and Debian's Fashion-MNIST ship: t10k-images-idx3-ubyte.gz),
// read by @onebit/datasets' streaming reader, which stops inflating at the size the header declares.
import { DatasetError, type IdxArray } from "@onebit/datasets";
import { readIdxFile } from "@onebit/datasets/node";
import { RuntimeError } from "@onebit/runtime";
import { type ImageLimits, resolveImageLimits } from "./image-limits.js";
import { type DecodedImages, idxInputError, imagesFromIdx } from "./images.js";

/** Whether `bytes` start with the gzip signature. */
export const isGzip = (bytes: Uint8Array) => bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * Reads a gzip-compressed IDX file. With `maxPixels`, inflating stops before more than 4 bytes per
 * pixel of that many pixels (checked from the header): LIMIT_EXCEEDED naming --max-pixels.
 */
export async function readGzipIdx(file: string, maxPixels?: number): Promise<IdxArray> {
  const maxBytes = maxPixels === undefined ? undefined : maxPixels * 4;
  try {
    return await readIdxFile(file, maxBytes === undefined ? {} : { maxBytes });
  } catch (error) {
    if (error instanceof DatasetError && error.code === "TOO_LARGE" && maxPixels !== undefined) {
      throw new RuntimeError(
        "LIMIT_EXCEEDED",
        `${file}: the IDX header declares more image data than the limit of ${maxPixels} pixels per file allows (${error.message.replace(/^.*?IDX: /, "").replace(" (option maxBytes)", "")}); raise it with --max-pixels, or the maxPixels option`,
        { cause: error, limit: { name: "maxPixels", value: maxPixels + 1, max: maxPixels } },
      );
    }
    throw idxInputError(error, file);
  }
}

/** The images of a gzip-compressed IDX file: at most `maxPixels` pixels of up to 4 channels are inflated. */
export async function decodeGzipIdxImages(file: string, limits: ImageLimits = {}): Promise<DecodedImages> {
  const resolved = resolveImageLimits(limits);
  const idx = await readGzipIdx(file, resolved.maxPixels);
  return imagesFromIdx(idx, file, resolved);
}
