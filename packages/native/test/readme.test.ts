import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";
import { isas, mustRun } from "./support.js";

// The README's first example, run as written (see scripts/test-support/readme-example.ts).
const readme = readmeExample(join(import.meta.dirname, ".."));

describe("README example", () => {
  it("runs on the native kernels and prints what the README says", () => {
    expect(readme.code).toContain("// true");
    const [first, second] = readme.run().trim().split("\n");
    if (mustRun) expect(first).toBe(`native ${isas[0]}`);
    expect(second).toBe("true");
  });
});
