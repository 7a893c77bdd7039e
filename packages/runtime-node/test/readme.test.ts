import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The README's first example, run as written (so it cannot rot). Its imports of this package are
// pointed at src/ and run through tsx: CI runs this package's tests while another task may be
// rebuilding (and cleaning) its dist/; the built package itself is checked by test:pack.

const packageDir = join(import.meta.dirname, "..");
const readme = readFileSync(join(packageDir, "README.md"), "utf8");
const repositoryRoot = join(packageDir, "..", "..");
const tsxCli = join(createRequire(import.meta.url).resolve("tsx/package.json"), "..", "dist", "cli.mjs");

/** The first ```js / ```ts block of the README. */
function firstExample(markdown: string): string {
  const match = /^```(?:js|ts|javascript|typescript)\n([\s\S]*?)^```$/m.exec(markdown);
  if (!match) throw new Error("README.md has no ```js example");
  return match[1]!;
}

/** `import … from "<this package>[/sub]"` pointed at the matching src/ entry (from the exports map). */
function pointAtSources(code: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  return code.replace(/from "([^"]+)"/g, (whole, specifier: string) => {
    if (specifier !== pkg.name && !specifier.startsWith(`${pkg.name}/`)) return whole;
    const entry = pkg.exports[`.${specifier.slice(pkg.name.length)}`];
    const built: string = entry.import?.default ?? entry.default;
    const source = built.replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts");
    return `from ${JSON.stringify(join(packageDir, source))}`;
  });
}

/** Runs `code` as an ES module from `cwd`; its stdout. The file lives in the git-ignored test-artifacts/. */
function runExample(code: string, cwd = packageDir): string {
  const dir = join(packageDir, "test-artifacts");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `readme-example-${process.pid}.mts`);
  writeFileSync(file, pointAtSources(code));
  try {
    return execFileSync(process.execPath, [tsxCli, file], { cwd, encoding: "utf8", timeout: 100_000 });
  } finally {
    rmSync(file, { force: true });
  }
}

describe("README example", () => {
  it("runs from the repository root on the shipped model, with worker threads, and exits", () => {
    const example = firstExample(readme);
    expect(example).toContain('InferenceSession.create("models/mnist-tiny.onebit", { threads: "auto" })');
    const printed = runExample(example, repositoryRoot).replace(/\s+/g, " ");
    expect(printed).toContain("dtype: 'uint8'");
    expect(printed).toContain("shape: [ 28, 28, 1 ]");
    expect(printed).toContain("size: 784");
    expect(printed).toMatch(/Array\(32\) \[/);
    expect(printed).toMatch(/\[ \{ index: \d, label: '\d', probability: [\d.e-]+, logit: [-\d.e]+ \}/);
  });
});
