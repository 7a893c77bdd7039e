import { describe, expect, it } from "vitest";
import { loadOrt } from "../src/onnx/ort.js";
import { validateReport } from "../src/report/json.js";
import { listCases, runBench } from "../src/run-bench.js";

const quick = { mode: "quick", threads: 2, json: false, outDir: "/tmp/unused", list: true } as const;

describe("the real sections", () => {
  it("plan the quick run's workloads without running anything", async () => {
    const ids = await listCases(quick);
    const hasOrt = (await loadOrt()).ort !== undefined;
    for (const id of [
      "gemm/1x4096x4096/tensor-gemm",
      "gemm/64x4096x4096/bgemm",
      "conv/128C3@32x32/bconv2d",
      "conv/512C3@8x8/bconv2d-threshold",
      "models/mlp-784-3x4096-10 batch 1/onebit-runtime",
      "models/mlp-784-3x4096-10 batch 256/onebit-binary",
      "models/convnet-64c3-128c3-512fc (random) batch 1/onebit-runtime",
      "memory (untimed figures)",
      ...(hasOrt ? ["gemm/256x1024x1024/ort-1t", "models/mlp-784-3x4096-10 batch 1/ort-2t"] : []),
    ]) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("check and time real kernels end to end into a conforming report", async () => {
    const r = await runBench(
      { ...quick, list: false, filter: /^conv\/512C3@8x8\/(bconv2d|tensor-conv2d)$/ },
      "pnpm bench --filter …",
    );
    expect(validateReport(JSON.parse(JSON.stringify(r)))).toEqual([]);
    const conv = r.sections.find((s) => s.id === "conv")!;
    expect(conv.results.map((x) => [x.impl, x.status])).toEqual([
      ["tensor-conv2d", "ok"],
      ["bconv2d", "ok"],
    ]);
    // The float case is the baseline when the peer is filtered out; the binary one has 32× fewer weight bytes.
    expect(conv.results[1]!.sizeRatio).toBe(32);
    expect(conv.results[1]!.speedup).toBeGreaterThan(0);
  });
});
