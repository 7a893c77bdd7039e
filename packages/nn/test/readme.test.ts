import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";

// The README's first example, run as written (see scripts/test-support/readme-example.ts).
const packageDir = join(import.meta.dirname, "..");
const readme = readmeExample(packageDir);

describe("README example", () => {
  it("trains the XOR model it shows and prints its summary and figures", () => {
    expect(readme.code).toContain("sequential(");
    const out = readme.run();
    expect(out).toMatch(/binary_dense_1/);
    // The example draws its data with Math.random: well above chance (0.5), not a fixed figure.
    const accuracy = Number(/accuracy: ([\d.]+) \}\s*$/.exec(out)?.[1]);
    expect(accuracy, out.slice(-300)).toBeGreaterThan(0.75);
  }, 120_000);
});
