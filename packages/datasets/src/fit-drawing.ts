// Background detection for drawings and scans that are not already MNIST-like: the background level
// is read from the image's border, a dark-on-light image is recognised (and inverted when asked), and
// the background is mapped to 0 so that fitToMnist sees only ink.
import { type FitOptions, type GreyImage, checkGreyImage, fitToMnist } from "./fit-mnist.js";

/** The background's grey level: the median of the image's outermost pixels (strokes rarely touch all four edges). */
export function backgroundLevel(image: GreyImage): number {
  checkGreyImage(image);
  const { width, height, data } = image;
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(data[x]!, data[(height - 1) * width + x]!);
  for (let y = 1; y < height - 1; y++) border.push(data[y * width]!, data[y * width + width - 1]!);
  border.sort((a, b) => a - b);
  return border[border.length >> 1]!;
}

/** Whether the image looks dark-on-light (a light background), the opposite of MNIST's white strokes on black. */
export function looksInverted(image: GreyImage): boolean {
  return backgroundLevel(image) > 127;
}

export interface FitDrawingOptions extends FitOptions {
  /** Map v → 255 − v first: true, false, or "auto" (default) when the image looks dark-on-light. */
  invert?: boolean | "auto";
}

export interface FittedDrawing {
  /** The side×side input, 0 = background; undefined when nothing but background is found. */
  data: Uint8Array | undefined;
  /** Whether the image was inverted. */
  inverted: boolean;
  /** The background level found on the border (after inversion), mapped to 0. */
  background: number;
}

/**
 * Prepares any grey drawing or scan for an MNIST-style model: inverts it if asked (or, with "auto",
 * if it looks dark-on-light), maps its background level to 0 and its strongest stroke to 255, then
 * fits it as MNIST was prepared (fitToMnist).
 */
export function fitDrawing(image: GreyImage, options: FitDrawingOptions = {}): FittedDrawing {
  checkGreyImage(image);
  const { invert = "auto", ...fit } = options;
  const inverted = invert === "auto" ? looksInverted(image) : invert === true;
  const levels = Float64Array.from(image.data as ArrayLike<number>, (v) => (inverted ? 255 - v : v));
  const oriented = { width: image.width, height: image.height, data: levels };
  const background = backgroundLevel(oriented);
  let strongest = background;
  for (const v of levels) if (v > strongest) strongest = v;
  const span = strongest - background; // the strongest stroke becomes 255, as in MNIST
  const ink =
    span <= 0
      ? new Float64Array(levels.length)
      : levels.map((v) => (Math.max(0, v - background) * 255) / span);
  return {
    data: fitToMnist({ width: image.width, height: image.height, data: ink }, fit),
    inverted,
    background,
  };
}
