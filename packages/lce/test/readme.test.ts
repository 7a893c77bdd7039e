import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";

// The README's first example, run as written (see scripts/test-support/readme-example.ts).
const packageDir = join(import.meta.dirname, "..");
const readme = readmeExample(packageDir);

describe("README example", () => {
  it("runs and prints what the README says", () => {
    const stated = readme.code
      .split("\n")
      .filter((line) => line.startsWith("// > "))
      .map((line) => line.slice(5));
    expect(stated.length).toBeGreaterThan(0);
    expect(readme.run().trim().split("\n")).toEqual(stated);
  });
});
