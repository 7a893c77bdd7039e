import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";

// The README's first example, run as written (see scripts/test-support/readme-example.ts).
const packageDir = join(import.meta.dirname, "..");
const readme = readmeExample(packageDir);

describe("README example", () => {
  it("runs and prints what the README says", () => {
    const example = readme.code;
    const stated = "// 1740 input → denseFloat → binaryDense → binaryDense → argmax [ 0, -1 ] [ 0, 1 ]";
    expect(example).toContain(stated);
    expect(readme.run().trim()).toBe(stated.slice(3));
  });
});
