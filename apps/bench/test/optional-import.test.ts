import { describe, expect, it } from "vitest";
import { exportedFunction, importOptional } from "../src/harness/optional-import.js";

describe("optional imports", () => {
  it("loads an installed module and finds its function exports", async () => {
    const r = await importOptional<typeof import("node:path")>("node:path");
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(exportedFunction(r.module, "join")).toBeTypeOf("function");
      expect(exportedFunction(r.module, "sep")).toBeUndefined();
      expect(exportedFunction(r.module, "noSuchExport")).toBeUndefined();
    }
  });

  it("says a missing package is not installed", async () => {
    expect(await importOptional("@onebit/no-such-package")).toEqual({
      ok: false,
      reason: "@onebit/no-such-package is not installed",
    });
  });

  it("keeps the loader's code for a missing file", async () => {
    const r = await importOptional(new URL("./no-such-file.js", import.meta.url));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^ERR_MODULE_NOT_FOUND: /);
  });
});
