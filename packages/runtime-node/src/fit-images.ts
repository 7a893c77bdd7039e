// `onebit run --fit` and the inverted-image hint: images of any size prepared as MNIST was (the
// shared fitDrawing from @onebit/datasets, the same code as the web demo), for models that take one
// square grey image.
import {
  type FitStyle,
  type GreyImage,
  fitDrawing,
  fitStyleForDataset,
  looksInverted,
} from "@onebit/datasets";
import { type InputInfo, RuntimeError } from "@onebit/runtime";
import { type DecodedImages, toModelInput } from "./images.js";

/** The side of the square grey image a model takes ([s, s, 1] or a vector of s² values); undefined otherwise. */
export function squareGreySide(input: Pick<InputInfo, "shape">): number | undefined {
  const s = input.shape;
  if (s.length === 3 && s[0] === s[1] && s[2] === 1) return s[0];
  if (s.length === 1 && Number.isInteger(Math.sqrt(s[0]!))) return Math.sqrt(s[0]!);
  return undefined;
}

/** Each image of `images` as grey levels (luma, transparency over a contrasting backdrop), at its own size. */
function greyImages(images: DecodedImages, file: string): GreyImage[] {
  const { count, width, height } = images;
  const grey = toModelInput(images, { shape: [height, width, 1] }, file);
  const pixels = width * height;
  return Array.from({ length: count }, (_, i) => ({
    width,
    height,
    data: grey.subarray(i * pixels, (i + 1) * pixels),
  }));
}

/** How many of the images look dark-on-light (a light background), the opposite of MNIST. */
export function countInverted(images: DecodedImages, file: string): number {
  return greyImages(images, file).filter((image) => looksInverted(image)).length;
}

/**
 * Prepares every image for a model that takes side×side grey images, as MNIST (or, with `style`,
 * Fashion-MNIST) was prepared: the background (read from the border) mapped to 0 — inverting
 * dark-on-light images, or all of them with `invert` — and the ink's bounding box fitted and centred. Returns the fitted images and how
 * many were inverted. A blank image (background only) is an INVALID_ARGUMENT error naming it.
 */
export function fitImages(
  images: DecodedImages,
  input: Pick<InputInfo, "shape">,
  file: string,
  invert: boolean,
  style: FitStyle = "mnist",
): { images: DecodedImages; inverted: number } {
  const side = squareGreySide(input);
  if (side === undefined) {
    throw new RuntimeError(
      "SHAPE_MISMATCH",
      `--fit prepares images for models that take one square grey image, and this model takes [${input.shape.join(", ")}]`,
    );
  }
  const data = new Uint8Array(images.count * side * side);
  let inverted = 0;
  greyImages(images, file).forEach((image, i) => {
    const fitted = fitDrawing(image, { side, style, invert: invert ? true : "auto" });
    if (fitted.data === undefined) {
      const which = images.count > 1 ? `image ${i}` : "the image";
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `${file}: ${which} is blank (background only): nothing to fit`,
      );
    }
    if (fitted.inverted) inverted++;
    data.set(fitted.data, i * side * side);
  });
  return { images: { count: images.count, height: side, width: side, channels: 1, data }, inverted };
}

const FIT_STYLES: readonly FitStyle[] = ["mnist", "fashion-mnist"];

/**
 * The preparation `--fit-style` asks for: the style named, or with "auto", the one of the dataset the
 * model was trained on (its metadata's provenance), MNIST's by default.
 */
export function resolveFitStyle(requested: string, trainedOn: string | undefined): FitStyle {
  if (requested === "auto") return fitStyleForDataset(trainedOn);
  if ((FIT_STYLES as readonly string[]).includes(requested)) return requested as FitStyle;
  throw new RuntimeError(
    "INVALID_ARGUMENT",
    `--fit-style ${requested}: expected one of auto, ${FIT_STYLES.join(", ")}`,
  );
}
