#!/usr/bin/env node
// Cross-compiles the addon for aarch64 Linux (the NEON path) with Debian's gcc-aarch64-linux-gnu,
// to prove it builds on an x64 machine; where qemu-user is installed (qemu-aarch64), also runs
// test/c/kernels-agree.c under emulation: the NEON kernels must match the scalar ones byte for byte,
// and test/c/glue-agree.c: the float glue as built for aarch64 must match its references.
// Each source is compiled once, in parallel, and both binaries link from those objects: glue.c alone
// takes ~13 s at -O3 for aarch64, and CI runs this beside every other package's tests.
// Exits 2 when the cross compiler is missing (CI installs it; see .ci/run), 1 when a step fails.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
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
const run = promisify(execFile);
const compileFlags = ADDON_CFLAGS.filter((flag) => flag !== "-shared");

/** Compiles every source to an object in `work`, a few at a time; resolves to the objects' paths. */
async function compileAll(sources, work) {
  const objects = sources.map((f) => join(work, basename(f, ".c") + ".o"));
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const i = next++;
      await run(CC, [...compileFlags, "-I", headers, "-c", sources[i], "-o", objects[i]]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), sources.length) }, worker));
  return objects;
}

const work = mkdtempSync(join(tmpdir(), "onebit-neon-"));
try {
  const sources = readdirSync(csrc)
    .filter((f) => f.endsWith(".c"))
    .map((f) => join(csrc, f));
  const harnesses = ["kernels-agree.c", "glue-agree.c"].map((f) =>
    resolve(import.meta.dirname, "../test/c", f),
  );
  const objects = await compileAll([...sources, ...harnesses], work);
  const glueHarnessObject = objects.pop();
  const harnessObject = objects.pop();
  const out = join(work, "onebit.node");
  execFileSync(CC, ["-shared", "-pthread", ...objects, "-o", out], { stdio: "inherit" });
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
    // The kernels without the Node-API glue (addon.c files) and the float glue (glue.c, tested
    // through the addon), as test/kernels-agree.test.ts builds it on the host.
    const kernels = objects.filter((f) => !f.endsWith("addon.o") && !f.endsWith("/glue.o"));
    // The training kernels use sqrtf.
    execFileSync(CC, ["-static", "-pthread", ...kernels, harnessObject, "-o", check, "-lm"], {
      stdio: "inherit",
    });
    process.stdout.write(`under ${qemu}: ${execFileSync(qemu, [check], { encoding: "utf8" })}`);
    const glueCheck = join(work, "glue-agree");
    const glue = objects.filter((f) => f.endsWith("/glue.o"));
    execFileSync(CC, ["-static", ...glue, glueHarnessObject, "-o", glueCheck, "-lm"], { stdio: "inherit" });
    process.stdout.write(`under ${qemu}: ${execFileSync(qemu, [glueCheck], { encoding: "utf8" })}`);
  }
} catch (error) {
  const detail = error && typeof error === "object" && "stderr" in error ? `\n${error.stderr}` : "";
  console.error(`aarch64 build failed: ${error instanceof Error ? error.message : String(error)}${detail}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
