import { assertPositiveInteger, NnError } from "./errors.js";

/** The shape of one sample (the batch axis is implicit): `[features]` or `[height, width, channels]` (NHWC). */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape, batch = true): string {
  return `(${batch ? "None, " : ""}${shape.join(", ")})`;
}

export function assertShape(shape: unknown, what: string): asserts shape is Shape {
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    !shape.every((d) => typeof d === "number" && Number.isInteger(d) && d > 0)
  ) {
    throw new NnError(
      "INVALID_ARGUMENT",
      `${what} must be a non-empty array of positive integers, got ${JSON.stringify(shape)}`,
    );
  }
}

/** Requires an image shape [height, width, channels]. */
export function assertImageShape(shape: Shape, layer: string): [number, number, number] {
  if (shape.length !== 3) {
    throw new NnError(
      "SHAPE_MISMATCH",
      `${layer} needs NHWC image input [height, width, channels], got ${formatShape(shape)}`,
    );
  }
  return [shape[0]!, shape[1]!, shape[2]!];
}

/** A reusable scratch buffer: the same storage while `n` fits, views of exactly `n` values. */
export class Scratch {
  private storage = new Float32Array(0);
  get(n: number): Float32Array {
    if (this.storage.length < n) this.storage = new Float32Array(n);
    return this.storage.length === n ? this.storage : this.storage.subarray(0, n);
  }
}

/** A [height, width] pair of positive integers from one number or a pair (kernel sizes, strides). */
export function positivePair(v: number | readonly [number, number], what: string): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v?.[0] as number, v?.[1] as number];
  assertPositiveInteger(p[0], `${what}[0]`);
  assertPositiveInteger(p[1], `${what}[1]`);
  return p;
}
