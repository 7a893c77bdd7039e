import { DatasetError, assertCount } from "./errors.js";
import { type RandomSource, permutation } from "./random.js";

export interface BatchOptions {
  /** Shuffle with this generator (a fresh permutation per call: call once per epoch). */
  rng?: RandomSource;
  /** Use this order of item indices instead (a permutation of 0…count−1). */
  order?: ArrayLike<number>;
  /** Leave out a last batch smaller than batchSize. Default false. */
  dropLast?: boolean;
}

/**
 * Splits item indices 0…count−1 into batches of `batchSize` (the last may be smaller), in order, in a
 * given `order`, or shuffled by `rng`. Each batch is a view into one index array.
 */
export function batches(count: number, batchSize: number, options: BatchOptions = {}): Uint32Array[] {
  assertCount(count, "count");
  assertCount(batchSize, "batchSize", 1);
  if (options.rng && options.order) {
    throw new DatasetError("INVALID_ARGUMENT", "batches: pass either rng or order, not both");
  }
  let order: Uint32Array;
  if (options.order) order = checkedOrder(options.order, count);
  else if (options.rng) order = permutation(count, options.rng);
  else order = Uint32Array.from({ length: count }, (_, i) => i);
  const out: Uint32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    if (options.dropLast && end - start < batchSize) break;
    out.push(order.subarray(start, end));
  }
  return out;
}

function checkedOrder(order: ArrayLike<number>, count: number): Uint32Array {
  if (order.length !== count) {
    throw new DatasetError("SHAPE_MISMATCH", `batches: order has ${order.length} indices, expected ${count}`);
  }
  const seen = new Uint8Array(count);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const index = order[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= count || seen[index]) {
      throw new DatasetError(
        "INVALID_ARGUMENT",
        `batches: order[${i}] = ${index} is ${seen[index] ? "repeated" : `outside [0, ${count - 1}]`}; order must be a permutation`,
      );
    }
    seen[index] = 1;
    out[i] = index;
  }
  return out;
}

/**
 * Copies items `indices` (each `itemSize` consecutive values of `source`) into one contiguous batch,
 * e.g. the images of a batch: `gatherRows(set.images, batch, set.rows * set.cols)`.
 */
export function gatherRows<T extends Uint8Array | Float32Array>(
  source: T,
  indices: ArrayLike<number>,
  itemSize: number,
  out?: T,
): T {
  assertCount(itemSize, "itemSize");
  const items = itemSize === 0 ? 0 : source.length / itemSize;
  const target = out ?? (new (source.constructor as new (n: number) => T)(indices.length * itemSize) as T);
  if (target.length < indices.length * itemSize) {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `gatherRows: out holds ${target.length} values, ${indices.length} items need ${indices.length * itemSize}`,
    );
  }
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= items) {
      throw new DatasetError(
        "INVALID_ARGUMENT",
        `gatherRows: index ${i} is ${index}, outside [0, ${items - 1}]`,
      );
    }
    target.set(source.subarray(index * itemSize, (index + 1) * itemSize), i * itemSize);
  }
  return target;
}
