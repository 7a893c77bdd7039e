// The aarch64 NEON path cannot run natively here: it must cross-compile (CI installs the compiler),
// and where qemu-user is installed its kernels run under emulation and must match the scalar ones.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../scripts/check-neon.mjs", import.meta.url));
const runs = (command: string) => {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const hasCrossCompiler = runs(process.env.ONEBIT_AARCH64_CC || "aarch64-linux-gnu-gcc");
const hasQemu = runs(process.env.ONEBIT_QEMU_AARCH64 || "qemu-aarch64");

describe("aarch64 NEON build", () => {
  it("has the cross compiler in CI", () => {
    if (process.env.CI) expect(hasCrossCompiler, "CI must install gcc-aarch64-linux-gnu").toBe(true);
  });

  const out = () => execFileSync(process.execPath, [script], { encoding: "utf8" });

  it.runIf(hasCrossCompiler && !hasQemu)("cross-compiles the addon with the NEON kernel in it", () => {
    expect(out()).toContain("gemm_neon present");
  });

  it.runIf(hasCrossCompiler && hasQemu)(
    "cross-compiles it, and under qemu-aarch64 the NEON kernels match the scalar ones in every mode, the float glue its references",
    () => {
      const text = out();
      expect(text).toContain("gemm_neon present");
      expect(text).toMatch(/neon: \d+ cases against scalar\s+kernels agree/);
      expect(text).toMatch(/\d+ cases: float glue agrees/);
    },
    // ~18 s alone; a loaded two-core CI run, every package testing at once, took 179 s.
    300_000,
  );
});
