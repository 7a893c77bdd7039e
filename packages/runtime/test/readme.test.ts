import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";

// The README's first example, run as written (see scripts/test-support/readme-example.ts).
const packageDir = join(import.meta.dirname, "..");
const repositoryRoot = join(packageDir, "..", "..");
const readme = readmeExample(packageDir);

describe("README example", () => {
  it("runs from the repository root on the shipped model and prints what the README says", () => {
    const example = readme.code;
    expect(example).toContain('readFileSync("models/mnist-tiny.onebit")');
    const printed = readme.run(repositoryRoot).replace(/\s+/g, " ");
    expect(printed).toContain("dtype: 'uint8'");
    expect(printed).toContain("shape: [ 28, 28, 1 ]");
    expect(printed).toContain("size: 784");
    expect(printed).toMatch(/\d \[ \{ index: \d, label: '\d', probability: [\d.e-]+, logit: [-\d.e]+ \}/);
  });
});
