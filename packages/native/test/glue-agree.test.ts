// test/c/glue-agree.c: the float glue against plain C references, built for the ISAs the addon's
// clones cover but this CPU never dispatches to when it has AVX-512 — the x86-64 baseline and AVX2 —
// so those paths run under test on any x64 machine (the dispatched one runs through the addon in
// float-glue.test.ts, and aarch64 under qemu in cross-compile.test.ts).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ADDON_CFLAGS } from "../scripts/addon-cflags.mjs";
import { cc, mustRun } from "./support.js";

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "onebit-glue-agree-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** x64: the baseline, and AVX2 where the CPU runs it; elsewhere the compiler's default target. */
function builds(): { name: string; flags: string[] }[] {
  if (process.arch !== "x64") return [{ name: "default", flags: [] }];
  let cpuFlags = "";
  try {
    cpuFlags = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    // Not Linux: the baseline only.
  }
  const out = [{ name: "baseline", flags: [] as string[] }];
  if (/\bavx2\b/.test(cpuFlags)) out.push({ name: "avx2", flags: ["-mavx2"] });
  return out;
}

describe("float glue in C, on the ISAs the addon does not dispatch to here", () => {
  it.runIf(cc !== undefined || mustRun)(
    "convolutions, affine chains and max-pools agree bit for bit with their references",
    async () => {
      expect(cc, "a C compiler builds the addon on this platform").toBeDefined();
      const flags = ADDON_CFLAGS.filter((f) => f !== "-shared" && f !== "-fPIC");
      const csrc = join(import.meta.dirname, "..", "csrc");
      // One build per ISA, compiled at once: glue.c at -O3 takes ~10 s per ISA.
      const outputs = await Promise.all(
        builds().map(async ({ name, flags: isa }) => {
          const exe = join(work, `glue-agree-${name}`);
          await run(cc!, [
            ...flags,
            ...isa,
            "-DGLUE_ONE_ISA",
            join(csrc, "glue.c"),
            join(import.meta.dirname, "c", "glue-agree.c"),
            "-o",
            exe,
            "-lm",
          ]);
          return { name, text: (await run(exe, [], { encoding: "utf8" })).stdout };
        }),
      );
      for (const { name, text } of outputs) expect(text, name).toMatch(/\d+ cases: float glue agrees/);
    },
    300_000,
  );
});
