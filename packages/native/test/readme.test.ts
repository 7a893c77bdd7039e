import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { readmeExample } from "../../../scripts/test-support/readme-example.js";
import { loadNativeFloatGemm } from "../src/index.js";
import { isas, mustRun } from "./support.js";

const floatIsa = loadNativeFloatGemm().gemm?.isa;

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

describe("README float GEMM example", () => {
  it("runs as written and prints the product", () => {
    const markdown = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");
    const code = /```js\n(import \{ loadNativeFloatGemm \}[\s\S]*?)```/.exec(markdown)?.[1];
    expect(code).toContain("// e.g. avx512 Float32Array(4) [ 4, 5, 10, 11 ]");
    const dir = join(import.meta.dirname, "../test-artifacts");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `readme-float-${process.pid}.mts`);
    const source = pathToFileURL(join(import.meta.dirname, "../src/index.ts")).href;
    writeFileSync(file, code!.replace('"@onebit/native"', JSON.stringify(source)));
    try {
      const tsx = createRequire(import.meta.url).resolve("tsx");
      const output = execFileSync(process.execPath, ["--import", tsx, file], { encoding: "utf8" }).trim();
      if (mustRun) expect(output).toBe(`${floatIsa} Float32Array(4) [ 4, 5, 10, 11 ]`);
      else expect(output.length).toBeGreaterThan(0);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
