#!/usr/bin/env node
// Cross-compiles the addon for aarch64 Linux (the NEON path) with Debian's gcc-aarch64-linux-gnu,
// to prove it builds on an x64 machine; where qemu-user is installed (qemu-aarch64), also runs
// test/c/kernels-agree.c under emulation: the NEON kernels must match the scalar ones byte for byte.
// Exits 2 when the cross compiler is missing (CI installs it; see .ci/run), 1 when a step fails.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ADDON_CFLAGS } from "./addon-cflags.mjs";

const CC = process.env.ONEBIT_AARCH64_CC || "aarch64-linux-gnu-gcc";
const csrc = resolve(import.meta.dirname, "../csrc");
const require = createRequire(import.meta.url);
const headers = join(dirname(require.resolve("node-api-headers/package.json")), "include");

try {
  execFileSync(CC, ["--version"], { stdio: "ignore" });
} catch {
  console.error(`${CC} not found: install gcc-aarch64-linux-gnu (Debian) to check the NEON path`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), "onebit-neon-"));
try {
  const sources = readdirSync(csrc)
    .filter((f) => f.endsWith(".c"))
    .map((f) => join(csrc, f));
  const out = join(work, "onebit.node");
  execFileSync(CC, [...ADDON_CFLAGS, "-I", headers, ...sources, "-o", out], { stdio: "inherit" });
  // The NEON kernel must be in the binary, not compiled away.
  const symbols = execFileSync(CC.replace(/gcc$/, "nm"), [out], { encoding: "utf8" });
  if (!/\bgemm_neon\b/.test(symbols)) throw new Error("gemm_neon is missing from the aarch64 build");
  console.log(`aarch64 build with ${CC}: ok (gemm_neon present)`);
  const qemu = process.env.ONEBIT_QEMU_AARCH64 || "qemu-aarch64";
  let hasQemu = true;
  try {
    execFileSync(qemu, ["--version"], { stdio: "ignore" });
  } catch {
    hasQemu = false;
    console.log(`${qemu} not found (Debian: qemu-user): the NEON kernels were compiled, not run`);
  }
  if (hasQemu) {
    const check = join(work, "kernels-agree");
    const kernels = sources.filter((f) => !f.endsWith("addon.c"));
    const harness = resolve(import.meta.dirname, "../test/c/kernels-agree.c");
    execFileSync(
      CC,
      [
        "-std=c11",
        "-O2",
        "-ffp-contract=off",
        "-static",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pthread",
        "-Wno-unused-parameter",
        ...kernels,
        harness,
        "-o",
        check,
        "-lm", // the training kernels use sqrtf
      ],
      { stdio: "inherit" },
    );
    process.stdout.write(`under ${qemu}: ${execFileSync(qemu, [check], { encoding: "utf8" })}`);
  }
} catch (error) {
  console.error(`aarch64 build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
