import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";
import { FASHION_MNIST_DEBIAN_DIR } from "../src/node.js";

// The README's first example, run as written (see scripts/test-support/readme-example.ts). It reads
// Fashion-MNIST from Debian's package: without it the test fails when CI is set (CI installs it) and
// is skipped with a visible reason otherwise.
const packageDir = join(import.meta.dirname, "..");
const readme = readmeExample(packageDir);
const fashionMissing =
  !existsSync(join(FASHION_MNIST_DEBIAN_DIR, "t10k-labels-idx1-ubyte.gz")) && !process.env.CI;
if (fashionMissing)
  console.warn(
    `README example SKIPPED: ${FASHION_MNIST_DEBIAN_DIR} is missing (sudo apt-get install dataset-fashion-mnist)`,
  );

describe("README example", () => {
  it.skipIf(fashionMissing)("runs and prints what the README says", () => {
    const example = readme.code;
    const stated = [
      "// 60000 5 7",
      "// 78400 1000",
      "// 5000",
      "// Ankle boot, Pullover, Trouser",
      "// true 784",
    ];
    for (const comment of stated) expect(example).toContain(comment);
    const lines = readme.run().trim().split("\n");
    expect(lines[0]).toBe("60000 5 7");
    // labelHistogram: images per digit 0–9 of the first 1000 test images.
    const histogram = (lines.slice(1, -6).join(" ").match(/\d+/g) ?? []).map(Number);
    expect(histogram).toHaveLength(10);
    expect(histogram.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(lines.slice(-6)).toEqual([
      "78400 1000",
      "78400 1000",
      "78400 1000",
      "5000",
      "Ankle boot, Pullover, Trouser",
      "true 784",
    ]);
  });
});
