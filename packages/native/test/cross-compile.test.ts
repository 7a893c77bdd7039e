// The aarch64 NEON path cannot run here; it must at least cross-compile (CI installs the compiler).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../scripts/check-neon.mjs", import.meta.url));
const hasCrossCompiler = (() => {
  try {
    execFileSync(process.env.ONEBIT_AARCH64_CC || "aarch64-linux-gnu-gcc", ["--version"], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
})();

describe("aarch64 NEON build", () => {
  it("has the cross compiler in CI", () => {
    if (process.env.CI) expect(hasCrossCompiler, "CI must install gcc-aarch64-linux-gnu").toBe(true);
  });

  it.runIf(hasCrossCompiler)("cross-compiles the addon with the NEON kernel in it", () => {
    const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
    expect(out).toContain("gemm_neon present");
  });
});
