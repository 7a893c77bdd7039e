// test/c/kernels-agree.c on this CPU: every ISA path it runs against the scalar one, including
// operands that saturate every accumulator (all bits differing for thousands of words), which the
// random ±1 data of the other tests never does.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cc, mustRun } from "./support.js";

const csrc = join(import.meta.dirname, "..", "csrc");
const work = mkdtempSync(join(tmpdir(), "onebit-agree-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("native kernels against the scalar path, in C", () => {
  it.runIf(cc !== undefined || mustRun)(
    "every ISA this CPU runs agrees byte for byte, saturated operands included",
    () => {
      expect(cc, "a C compiler builds the addon on this platform").toBeDefined();
      const sources = readdirSync(csrc)
        // Not the Node-API glue (addon.c files), nor the float glue kernels (glue.c: tested through the
        // addon in float-glue.test.ts; its many inlined variants were half this compile under CI load).
        .filter((f) => f.endsWith(".c") && !f.endsWith("addon.c") && f !== "glue.c")
        .map((f) => join(csrc, f));
      const exe = join(work, "kernels-agree");
      execFileSync(cc!, [
        "-std=c11",
        "-O2",
        "-ffp-contract=off",
        ...sources,
        join(import.meta.dirname, "c", "kernels-agree.c"),
        "-o",
        exe,
        "-lm", // the training kernels use sqrtf
      ]);
      const out = execFileSync(exe, { encoding: "utf8" });
      expect(out).toMatch(/kernels agree/);
    },
  );
});
