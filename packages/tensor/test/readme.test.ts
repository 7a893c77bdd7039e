import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";

// The README's first example, run as written (see scripts/test-support/readme-example.ts).
const packageDir = join(import.meta.dirname, "..");
const readme = readmeExample(packageDir);

describe("README example", () => {
  it("runs and prints what the README says", () => {
    const example = readme.code;
    expect(example).toContain("console.log(c); // Float32Array(4) [ 1, 5, 4, 11 ]");
    const lines = readme.run().trim().split("\n");
    expect(lines[0]).toBe("Float32Array(4) [ 1, 5, 4, 11 ]");
    expect(Number.isFinite(Number(lines[1]))).toBe(true);
    expect(lines.slice(2).join(" ").replace(/\s+/g, " ")).toMatch(
      /\{ gemm: '[\w-]+', threads: 1, simd: (true|false), native: \{ available: (true|false),/,
    );
  });
});
