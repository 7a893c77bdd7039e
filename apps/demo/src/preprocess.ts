// Turns a drawing into what an MNIST model expects, the way MNIST itself was made: the digit's
// bounding box scaled (anti-aliased) to fit 20×20, then placed in a 28×28 field so that its centre
// of mass sits at the centre (as near as the field allows: no stroke is cut off). Pure functions over grey levels, so they are tested in Node.js.

export const SIDE = 28;
/** The digit's bounding box is scaled to fit this square, as in MNIST. */
export const BOX = 20;

/** A grey image, row-major, 0 = background. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

/** Bounding box [x0, y0, x1, y1) of the pixels above `threshold`; undefined for a blank image. */
export function inkBounds(image: GreyImage, threshold = 0): [number, number, number, number] | undefined {
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

/** The 28×28 model input (bytes, 0 = background) of a drawing, or undefined if nothing is drawn. */
export function toMnistInput(image: GreyImage): Uint8Array | undefined {
  const bounds = inkBounds(image);
  if (!bounds) return undefined;
  const [x0, y0, x1, y1] = bounds;
  const bw = x1 - x0;
  const bh = y1 - y0;
  const scale = BOX / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale));
  const h = Math.max(1, Math.round(bh * scale));
  const digit = resampleArea(image, bounds, w, h);

  // Centre of mass of the scaled digit, moved to the centre of the field.
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = digit[y * w + x]!;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  // Kept inside the field: a lopsided drawing sits off-centre rather than losing a stroke.
  const left = Math.min(SIDE - w, Math.max(0, Math.round(SIDE / 2 - mx / mass)));
  const top = Math.min(SIDE - h, Math.max(0, Math.round(SIDE / 2 - my / mass)));

  const out = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++)
      out[(top + y) * SIDE + left + x] = Math.min(255, Math.round(digit[y * w + x]!));
  }
  return out;
}

/** The red channel of RGBA pixels (the pad draws white on black, so any channel is the grey level). */
export function greyFromRgba(rgba: Uint8ClampedArray, width: number, height: number): GreyImage {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i]!;
  return { width, height, data };
}
