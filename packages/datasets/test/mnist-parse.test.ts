import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DatasetError, parseMnist, writeIdx } from "../src/index.js";
import { catchError } from "./rng.js";

function mnistBytes(count: number, rows: number, cols: number, labels?: number[]) {
  const pixels = Uint8Array.from({ length: count * rows * cols }, (_, i) => (i * 37) & 255);
  const labelValues = Uint8Array.from(labels ?? Array.from({ length: count }, (_, i) => i % 10));
  return {
    pixels,
    labelValues,
    images: writeIdx({ dtype: "uint8", shape: [count, rows, cols], data: pixels }),
    labels: writeIdx({ dtype: "uint8", shape: [labelValues.length], data: labelValues }),
  };
}

describe("parseMnist", () => {
  it("returns the images and labels of any consistent pair of IDX files", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        (count, rows, cols) => {
          const b = mnistBytes(count, rows, cols);
          const set = parseMnist(b.images, b.labels);
          expect(set).toEqual({ images: b.pixels, labels: b.labelValues, count, rows, cols });
        },
      ),
    );
  });

  it("keeps only the first `limit` items", () => {
    const b = mnistBytes(5, 2, 3);
    const set = parseMnist(b.images, b.labels, { limit: 2 });
    expect(set.count).toBe(2);
    expect(Array.from(set.images)).toEqual(Array.from(b.pixels.subarray(0, 12)));
    expect(Array.from(set.labels)).toEqual([0, 1]);
    expect(parseMnist(b.images, b.labels, { limit: 99 }).count).toBe(5);
  });

  it("rejects image and label counts that disagree", () => {
    const b = mnistBytes(4, 2, 2);
    const labels = writeIdx({ dtype: "uint8", shape: [3], data: Uint8Array.from([1, 2, 3]) });
    const error = catchError(() => parseMnist(b.images, labels));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error).toMatchObject({ code: "SHAPE_MISMATCH" });
    expect(error.message).toContain("4 images but 3 labels");
  });

  it("rejects wrong dimensions, dtypes and image sizes", () => {
    const b = mnistBytes(2, 3, 3);
    const flat = writeIdx({ dtype: "uint8", shape: [2, 9], data: b.pixels });
    expect(catchError(() => parseMnist(flat, b.labels)).message).toContain("3 dimensions");
    expect(catchError(() => parseMnist(b.images, b.images)).message).toContain("1 dimension");
    const floats = writeIdx({ dtype: "float32", shape: [2], data: Float32Array.from([0, 1]) });
    expect(catchError(() => parseMnist(b.images, floats))).toMatchObject({ code: "SHAPE_MISMATCH" });
    expect(catchError(() => parseMnist(b.images, b.labels, { imageShape: [28, 28] })).message).toContain(
      "must be 28×28, got 3×3",
    );
  });

  it("rejects labels outside the classes, naming the item", () => {
    const b = mnistBytes(3, 1, 1, [1, 10, 2]);
    const error = catchError(() => parseMnist(b.images, b.labels));
    expect(error).toMatchObject({ code: "BAD_LABEL" });
    expect(error.message).toContain("label 1 is 10");
    expect(parseMnist(b.images, b.labels, { numClasses: 11 }).count).toBe(3);
  });

  it("passes on IDX errors for truncated files", () => {
    const b = mnistBytes(2, 2, 2);
    const error = catchError(() => parseMnist(b.images.subarray(0, b.images.length - 1), b.labels));
    expect(error).toMatchObject({ code: "TRUNCATED", offset: b.images.length - 1 });
  });
});
