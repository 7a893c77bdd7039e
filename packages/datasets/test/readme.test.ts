import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";

// The README's first example, run as written (see scripts/test-support/readme-example.ts).
const packageDir = join(import.meta.dirname, "..");
const readme = readmeExample(packageDir);

describe("README example", () => {
  it("runs and prints what the README says", () => {
    const example = readme.code;
    for (const stated of ["// 60000 5 7", "// 78400 1000", "// 5000"]) expect(example).toContain(stated);
    const lines = readme.run().trim().split("\n");
    expect(lines[0]).toBe("60000 5 7");
    // labelHistogram: images per digit 0–9 of the first 1000 test images.
    const histogram = (lines.slice(1, -4).join(" ").match(/\d+/g) ?? []).map(Number);
    expect(histogram).toHaveLength(10);
    expect(histogram.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(lines.slice(-4)).toEqual(["78400 1000", "78400 1000", "78400 1000", "5000"]);
  });
});
