import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// Shared by the packages' test/readme.test.ts: the README's first example, run as written (so it
// cannot rot). Imports of the package itself are pointed at its src/ and run through tsx: CI runs a
// package's tests while another task may be rebuilding (and cleaning) its dist/; the built package
// itself is checked by test:pack.

export interface ReadmeExample {
  /** The first ```js / ```ts block of the README. */
  readonly code: string;
  /** Runs the example as an ES module from `cwd` (default: the package folder); its stdout. */
  run(cwd?: string): string;
}

const tsxCli = join(createRequire(import.meta.url).resolve("tsx/package.json"), "..", "dist", "cli.mjs");

export function readmeExample(packageDir: string): ReadmeExample {
  const markdown = readFileSync(join(packageDir, "README.md"), "utf8");
  const match = /^```(?:js|ts|javascript|typescript)\n([\s\S]*?)^```$/m.exec(markdown);
  if (!match) throw new Error(`${packageDir}/README.md has no \`\`\`js example`);
  const code = match[1]!;
  return { code, run: (cwd = packageDir) => runModule(packageDir, pointAtSources(packageDir, code), cwd) };
}

/** `import … from "<this package>[/sub]"` pointed at the matching src/ entry (from the exports map). */
function pointAtSources(packageDir: string, code: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  return code.replace(/from "([^"]+)"/g, (whole, specifier: string) => {
    if (specifier !== pkg.name && !specifier.startsWith(`${pkg.name}/`)) return whole;
    const entry = pkg.exports[`.${specifier.slice(pkg.name.length)}`];
    const built: string = entry.import?.default ?? entry.default;
    const source = built.replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts");
    return `from ${JSON.stringify(join(packageDir, source))}`;
  });
}

/** The module file lives in the package's git-ignored test-artifacts/ while it runs. */
function runModule(packageDir: string, code: string, cwd: string): string {
  const dir = join(packageDir, "test-artifacts");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `readme-example-${process.pid}.mts`);
  writeFileSync(file, code);
  try {
    return execFileSync(process.execPath, [tsxCli, file], { cwd, encoding: "utf8", timeout: 100_000 });
  } finally {
    rmSync(file, { force: true });
  }
}
