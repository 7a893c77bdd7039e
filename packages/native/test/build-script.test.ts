// The addon build without a C compiler: a clear failure in CI, a clear skip elsewhere (then the
// WebAssembly kernels serve), and never a partial binary.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../scripts/build-addon.mjs", import.meta.url));
// A stand-in per-platform package for this machine, so the real binary is never touched.
const pkgDir = mkdtempSync(join(tmpdir(), "onebit-native-build-"));
writeFileSync(
  join(pkgDir, "package.json"),
  JSON.stringify({ name: "@onebit/native-test-platform", os: [process.platform], cpu: [process.arch] }),
);

afterAll(() => rmSync(pkgDir, { recursive: true, force: true }));

function build(env: Record<string, string>) {
  return spawnSync(process.execPath, [script], {
    cwd: pkgDir,
    encoding: "utf8",
    // An empty PATH: no cc, gcc or clang to find.
    env: { PATH: "", CC: "", ...env },
  });
}

describe("build-addon.mjs without a C compiler", () => {
  it("fails in CI, naming what is missing", () => {
    const r = build({ CI: "true" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no C compiler found.*CI must build the native addon/s);
    expect(readdirSync(pkgDir)).toEqual(["package.json"]);
  });

  it("elsewhere skips with a message and leaves no binary (WebAssembly then serves)", () => {
    const r = build({});
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/no C compiler found.*falls back to WebAssembly/s);
    expect(readdirSync(pkgDir)).toEqual(["package.json"]);
  });
});
