// Turns a drawing into what an MNIST model expects, the way MNIST itself was made: the digit's
// bounding box scaled (anti-aliased) to fit 20×20, then placed in a 28×28 field so that its centre
// of mass sits at the centre (as near as the field allows: no stroke is cut off). Pure functions over
// grey levels with no platform API, shared by the web demo and the `onebit run --fit` CLI.
import { DatasetError } from "./errors.js";
import { MNIST_SIDE } from "./mnist.js";

/** MNIST scaled each digit's bounding box to fit this square before centring it in the 28×28 field. */
export const MNIST_BOX = 20;

/** A grey image, row-major, one value 0–255 per pixel (0 = background for the fitting functions). */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

/**
 * How a dataset placed its images: MNIST scaled the ink's bounding box to fit 20×20 and centred its
 * centre of mass in 28×28; Fashion-MNIST resized the article's longest edge to 28 and centred its
 * bounding box (https://github.com/zalandoresearch/fashion-mnist#get-the-data, without the sharpening).
 */
export type FitStyle = "mnist" | "fashion-mnist";

/**
 * The preparation that matches a model's training data, from the dataset named in its provenance
 * (e.g. "Fashion-MNIST (Debian dataset-fashion-mnist)"): Fashion-MNIST's, else MNIST's.
 */
export function fitStyleForDataset(dataset: string | undefined): FitStyle {
  return /fashion/i.test(dataset ?? "") ? "fashion-mnist" : "mnist";
}

export interface FitOptions {
  /** Side of the square output field. Default 28 (MNIST). */
  side?: number;
  /** The dataset whose preparation to follow (default "mnist"); sets `box` and `centre`. */
  style?: FitStyle;
  /** The ink's bounding box is scaled to fit this square. Default side·20/28 ("mnist") or side ("fashion-mnist"). */
  box?: number;
  /** Centre the ink's centre of mass ("mass", MNIST) or its bounding box ("box", Fashion-MNIST). */
  centre?: "mass" | "box";
}

/** Throws DatasetError "INVALID_ARGUMENT" unless `image` is a well-formed GreyImage. */
export function checkGreyImage(image: GreyImage, what = "image"): void {
  const { width, height, data } = (image ?? {}) as Partial<GreyImage>;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width! < 1 || height! < 1) {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `${what}: expected { width, height, data } with positive integer sizes, got width ${width}, height ${height}`,
    );
  }
  if (data === null || typeof data !== "object" || data.length !== width! * height!) {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `${what}: data must hold width·height = ${width! * height!} grey levels, got ${data === null || typeof data !== "object" ? String(data) : data.length}`,
    );
  }
}

/** Bounding box [x0, y0, x1, y1) of the pixels above `threshold`; undefined for a blank image. */
export function inkBounds(image: GreyImage, threshold = 0): [number, number, number, number] | undefined {
  checkGreyImage(image);
  const { width, height, data } = image;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : [x0, y0, x1 + 1, y1 + 1];
}

/**
 * Area-averaging resample of the region [x0, x1) × [y0, y1) of `image` to `w` × `h`: every output
 * pixel is the mean of the source area it covers (fractional pixels weighted), so strokes stay smooth.
 */
export function resampleArea(
  image: GreyImage,
  region: readonly [number, number, number, number],
  w: number,
  h: number,
): Float64Array {
  const [x0, y0, x1, y1] = region;
  const sx = (x1 - x0) / w;
  const sy = (y1 - y0) / h;
  const out = new Float64Array(w * h);
  for (let oy = 0; oy < h; oy++) {
    const top = y0 + oy * sy;
    const bottom = top + sy;
    for (let ox = 0; ox < w; ox++) {
      const left = x0 + ox * sx;
      const right = left + sx;
      let sum = 0;
      // Clamped to the region: rounding can push the last edge a hair past it.
      const yEnd = Math.min(Math.ceil(bottom), y1);
      const xEnd = Math.min(Math.ceil(right), x1);
      for (let y = Math.floor(top); y < yEnd; y++) {
        const wy = Math.min(bottom, y + 1) - Math.max(top, y);
        for (let x = Math.floor(left); x < xEnd; x++) {
          const wx = Math.min(right, x + 1) - Math.max(left, x);
          sum += wx * wy * image.data[y * image.width + x]!;
        }
      }
      out[oy * w + ox] = sum / (sx * sy);
    }
  }
  return out;
}

/**
 * The side×side model input (bytes, 0 = background) of a light-on-dark drawing of any size, prepared
 * as MNIST was (bounding box scaled to fit box×box, centre of mass at the centre), or as
 * Fashion-MNIST was with `style: "fashion-mnist"`. Undefined if blank.
 */
export function fitToMnist(image: GreyImage, options: FitOptions = {}): Uint8Array | undefined {
  const side = options.side ?? MNIST_SIDE;
  const style = options.style ?? "mnist";
  if (style !== "mnist" && style !== "fashion-mnist")
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `fitToMnist: style must be "mnist" or "fashion-mnist", got ${String(style)}`,
    );
  const fashion = style === "fashion-mnist";
  const box = options.box ?? (fashion ? side : Math.max(1, Math.round((side * MNIST_BOX) / MNIST_SIDE)));
  const centre = options.centre ?? (fashion ? "box" : "mass");
  if (centre !== "mass" && centre !== "box")
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `fitToMnist: centre must be "mass" or "box", got ${String(centre)}`,
    );
  if (!Number.isSafeInteger(side) || side < 1 || !Number.isSafeInteger(box) || box < 1 || box > side) {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `fitToMnist: side and box must be integers with 1 ≤ box ≤ side, got side ${side}, box ${box}`,
    );
  }
  const bounds = inkBounds(image);
  if (!bounds) return undefined;
  const [x0, y0, x1, y1] = bounds;
  const bw = x1 - x0;
  const bh = y1 - y0;
  const scale = box / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale));
  const h = Math.max(1, Math.round(bh * scale));
  const digit = resampleArea(image, bounds, w, h);

  // Centre of mass of the scaled digit (or its box's centre), moved to the centre of the field.
  let mass = 0;
  let mx = 0;
  let my = 0;
  if (centre === "box") {
    mass = 1;
    mx = w / 2;
    my = h / 2;
  } else {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = digit[y * w + x]!;
        mass += v;
        mx += v * (x + 0.5);
        my += v * (y + 0.5);
      }
    }
  }
  // Kept inside the field: a lopsided drawing sits off-centre rather than losing a stroke.
  const left = Math.min(side - w, Math.max(0, Math.round(side / 2 - mx / mass)));
  const top = Math.min(side - h, Math.max(0, Math.round(side / 2 - my / mass)));

  const out = new Uint8Array(side * side);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++)
      out[(top + y) * side + left + x] = Math.min(255, Math.round(digit[y * w + x]!));
  }
  return out;
}
