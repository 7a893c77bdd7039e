import { DatasetError, assertCount } from "./errors.js";
import { type RandomSource, randomBelow } from "./random.js";

export interface ShiftAugmentOptions<T> {
  /** Value for pixels shifted in from outside the image. Default 0 (MNIST's background; use −1 after normalizing to [−1, 1]). */
  fill?: number;
  /** Write here instead of allocating (must not be `images`). */
  out?: T;
}

/**
 * Translates each of `count` single-channel rows×cols images by its own random (dy, dx), each uniform
 * in [−maxShift, maxShift] (drawn dy then dx per image from `rng`, so the result is deterministic given
 * the generator): out[y][x] = in[y − dy][x − dx], `fill` where that falls outside. Data augmentation
 * for ConvNets (±2 px on MNIST).
 */
export function shiftAugment<T extends Uint8Array | Float32Array>(
  images: T,
  count: number,
  rows: number,
  cols: number,
  maxShift: number,
  rng: RandomSource,
  options: ShiftAugmentOptions<T> = {},
): T {
  assertCount(count, "count");
  assertCount(rows, "rows", 1);
  assertCount(cols, "cols", 1);
  assertCount(maxShift, "maxShift");
  const size = rows * cols;
  if (images.length !== count * size) {
    throw new DatasetError(
      "SHAPE_MISMATCH",
      `shiftAugment: ${count} images of ${rows}×${cols} need ${count * size} values, got ${images.length}`,
    );
  }
  const out = options.out ?? (new (images.constructor as new (n: number) => T)(images.length) as T);
  if (out === images || out.length < images.length) {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      "shiftAugment: out must be a separate array at least as long as images",
    );
  }
  const fill = options.fill ?? 0;
  const span = 2 * maxShift + 1;
  for (let n = 0; n < count; n++) {
    const dy = randomBelow(rng, span) - maxShift;
    const dx = randomBelow(rng, span) - maxShift;
    const base = n * size;
    // Source columns x − dx that land inside: the copied run of each row.
    const x0 = Math.max(0, dx);
    const x1 = Math.min(cols, cols + dx);
    for (let y = 0; y < rows; y++) {
      const row = base + y * cols;
      const sy = y - dy;
      if (sy < 0 || sy >= rows || x0 >= x1) {
        out.fill(fill, row, row + cols);
        continue;
      }
      out.fill(fill, row, row + x0);
      out.set(images.subarray(base + sy * cols + x0 - dx, base + sy * cols + x1 - dx), row + x0);
      out.fill(fill, row + x1, row + cols);
    }
  }
  return out;
}
