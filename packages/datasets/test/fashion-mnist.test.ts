// Fashion-MNIST: the real files from Debian's dataset-fashion-mnist package (CI installs it; without
// it these tests fail when CI is set, and are skipped with a visible reason otherwise), and the
// loader's behaviour on a directory of its own files and on a directory without them.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  DatasetError,
  FASHION_MNIST_CLASS_NAMES,
  type FitStyle,
  fitToMnist,
  labelHistogram,
  writeIdx,
} from "../src/index.js";
import { FASHION_MNIST_DEBIAN_DIR, MNIST_SPLIT_SIZES, loadFashionMnist, loadMnist } from "../src/node.js";

const installed = ["train", "t10k"].every((s) =>
  ["images-idx3", "labels-idx1"].every((f) =>
    existsSync(join(FASHION_MNIST_DEBIAN_DIR, `${s}-${f}-ubyte.gz`)),
  ),
);
const missing = !installed && !process.env.CI;
if (missing) {
  console.warn(
    `Fashion-MNIST tests on the real files SKIPPED: ${FASHION_MNIST_DEBIAN_DIR} is missing (sudo apt-get install dataset-fashion-mnist). With CI set they fail instead.`,
  );
}

describe.skipIf(missing)(
  `Fashion-MNIST from ${FASHION_MNIST_DEBIAN_DIR} (Debian's dataset-fashion-mnist)`,
  () => {
    it("loads the 60 000 training images: first labels, 6000 per class, class names", async () => {
      const train = await loadFashionMnist({ split: "train" });
      expect(train).toMatchObject({ count: MNIST_SPLIT_SIZES.train, rows: 28, cols: 28 });
      expect(train.images.length).toBe(60000 * 784);
      // The dataset's published facts: balanced classes, the first item an ankle boot.
      expect(labelHistogram(train.labels)).toEqual(Array(10).fill(6000));
      expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
      expect(train.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
      expect(train.classNames[train.labels[0]!]).toBe("Ankle boot");
      // Photographs of articles, not strokes: many grey levels, ink in the middle, a dark border.
      expect(new Set(train.images.subarray(0, 784 * 100)).size).toBeGreaterThan(200);
      expect(train.images[0]).toBe(0);
    });

    it("loads the 10 000 test images (1000 per class), and a prefix with `limit`", async () => {
      const [test, some] = await Promise.all([
        loadFashionMnist({ split: "test" }),
        loadFashionMnist({ split: "test", limit: 100 }),
      ]);
      expect(test.count).toBe(MNIST_SPLIT_SIZES.test);
      expect(labelHistogram(test.labels)).toEqual(Array(10).fill(1000));
      expect(Array.from(test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
      expect(some.count).toBe(100);
      expect(some.images).toEqual(test.images.subarray(0, 100 * 784));
      expect(some.labels).toEqual(test.labels.subarray(0, 100));
    });

    it("fitToMnist's fashion-mnist style gives back articles painted 10× larger; the digit style does not", async () => {
      const { images, count } = await loadFashionMnist({ split: "test", limit: 50 });
      const error = (style: FitStyle) => {
        let total = 0;
        for (let n = 0; n < count; n++) {
          const article = images.subarray(n * 784, (n + 1) * 784);
          const large = new Uint8Array(280 * 280).map(
            (_, i) => article[Math.floor(i / 2800) * 28 + Math.floor((i % 280) / 10)]!,
          );
          const x = fitToMnist({ width: 280, height: 280, data: large }, { style })!;
          for (let i = 0; i < 784; i++) total += Math.abs(x[i]! - article[i]!);
        }
        return total / count / 784;
      };
      // Fashion-MNIST's articles fill the 28×28 field edge to edge, centred by their bounding box.
      const fashion = error("fashion-mnist");
      expect(fashion).toBeLessThan(2);
      expect(error("mnist")).toBeGreaterThan(10 * fashion);
    });

    it("is not MNIST: the same loader shape, different images", async () => {
      const [fashion, digits] = await Promise.all([
        loadFashionMnist({ split: "test", limit: 10 }),
        loadMnist({ split: "test", limit: 10 }),
      ]);
      expect(fashion.images).not.toEqual(digits.images);
      expect(digits.classNames[digits.labels[0]!]).toBe("7");
    });
  },
);

describe("loadFashionMnist from a directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "onebit-fashion-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("says how to get the data when the files are not there", async () => {
    let caught: unknown;
    try {
      await loadFashionMnist({ split: "test", from: dir });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatasetError);
    const error = caught as DatasetError;
    expect(error.code).toBe("MISSING_DATA_PACKAGE");
    expect(error.message).toContain(dir);
    expect(error.message).toContain("sudo apt-get install dataset-fashion-mnist");
    expect(error.message).toContain("https://github.com/zalandoresearch/fashion-mnist");
  });

  it("reads a directory of the dataset's files and names the classes; refuses labels past 9", async () => {
    const images = Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 7) & 255);
    writeFileSync(
      join(dir, "t10k-images-idx3-ubyte.gz"),
      gzipSync(writeIdx({ dtype: "uint8", shape: [3, 28, 28], data: images })),
    );
    writeFileSync(
      join(dir, "t10k-labels-idx1-ubyte"),
      writeIdx({ dtype: "uint8", shape: [3], data: Uint8Array.of(0, 8, 9) }),
    );
    const set = await loadFashionMnist({ split: "test", from: dir });
    expect(set).toMatchObject({ count: 3, rows: 28, cols: 28 });
    expect(set.images).toEqual(images);
    expect(Array.from(set.labels, (l) => set.classNames[l])).toEqual(["T-shirt/top", "Bag", "Ankle boot"]);
    writeFileSync(
      join(dir, "t10k-labels-idx1-ubyte"),
      writeIdx({ dtype: "uint8", shape: [3], data: Uint8Array.of(0, 10, 9) }),
    );
    await expect(loadFashionMnist({ split: "test", from: dir })).rejects.toMatchObject({ code: "BAD_LABEL" });
    await expect(loadFashionMnist({ split: "valid" as "test", from: dir })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
