import { describe, expect, it } from "vitest";
import { chromiumPath, SKIP_MESSAGE } from "../../../scripts/test-support/chromium.js";
import { validateReport } from "../src/report/json.js";
import { listCases, runBench } from "../src/run-bench.js";

const quick = { mode: "quick", threads: 2, json: false, outDir: "/tmp/unused", list: true } as const;

describe("pnpm bench --browser", () => {
  it("plans the page's workloads on every engine, and only with --browser or --full", async () => {
    const ids = await listCases({ ...quick, browser: true });
    for (const id of [
      "browser/64x4096x4096/ort-web-1t",
      "browser/64x4096x4096/tfjs-wasm-2t",
      "browser/64x4096x4096/bgemm-wasm-i64",
      "browser/64x4096x4096/bgemm-wasm-simd",
      "browser/256x1024x1024/ort-web-1t",
      "browser/128C3@32x32/tfjs-wasm-1t",
      "browser/512C3@8x8/bconv2d-wasm-i64",
      "browser/mlp-784-3x4096-10 batch 1/runtime-web-1t",
      "browser/mlp-784-3x4096-10 batch 64/tfjs-wasm-1t",
      "browser/mlp-784-3x4096-10 batch 64/runtime-web-2t",
      "browser/convnet-64c3-128c3-512fc (random) batch 1/ort-web-1t",
      "browser/mnist-tiny batch 1/runtime-web-1t",
      "browser/quicknet 224x224x3 batch 1/ort-web-1t",
      "browser/quicknet 224x224x3 batch 1/runtime-web-1t",
    ])
      expect(ids).toContain(id);
    expect(ids.every((id) => id.startsWith("browser"))).toBe(true);
    expect((await listCases(quick)).some((id) => id.startsWith("browser/"))).toBe(false);
    expect((await listCases({ ...quick, mode: "full" })).some((id) => id.startsWith("browser/"))).toBe(true);
  });

  it.skipIf(!chromiumPath)(
    "loads the page from the local server only and checks, then times, one model on two engines",
    async () => {
      const r = await runBench(
        {
          ...quick,
          list: false,
          browser: true,
          filter: /^browser\/mnist-tiny batch 1\/(ort-web|runtime-web)-1t$/,
        },
        "pnpm bench --browser --filter …",
      );
      expect(validateReport(JSON.parse(JSON.stringify(r)))).toEqual([]);
      const s = r.sections.find((x) => x.id === "browser")!;
      expect(s.errors ?? []).toEqual([]);
      expect(s.results.map((x) => [x.impl, x.status, x.baseline])).toEqual([
        ["ort-web-1t", "ok", true],
        ["runtime-web-1t", "ok", false],
      ]);
      for (const x of s.results) expect(x.time!.n).toBeGreaterThan(0);
      expect(s.extra).toMatchObject({ blockedRequests: 0 });
    },
  );
  if (!chromiumPath) console.warn(SKIP_MESSAGE);
});
