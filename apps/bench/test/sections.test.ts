import { getBackendInfo } from "@onebit/bitops";
import { describe, expect, it } from "vitest";
import { loadOrt } from "../src/onnx/ort.js";
import { validateReport } from "../src/report/json.js";
import { listCases, runBench } from "../src/run-bench.js";
import { binaryBackends } from "../src/harness/native.js";

const quick = { mode: "quick", threads: 2, json: false, outDir: "/tmp/unused", list: true } as const;

describe("the real sections", () => {
  it("plan the quick run's workloads without running anything", async () => {
    const ids = await listCases(quick);
    const hasOrt = (await loadOrt()).ort !== undefined;
    for (const id of [
      "gemm/1x4096x4096/tensor-gemm",
      `gemm/64x4096x4096/bgemm-${binaryBackends()[0]}`,
      "gemm/64x4096x4096/bgemm-wasm-i64-2t",
      "gemm/pack 64x4096/packSignsMatrix",
      "gemm/small 4x4x4/tensor-gemm-wasm-simd",
      `conv/128C3@32x32/bconv2d-${binaryBackends()[0]}`,
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

  it("time every compiled kernel backend side by side, native first where it loads", async () => {
    const ids = await listCases(quick);
    const backends = binaryBackends();
    expect(backends).toContain("wasm-i64");
    if (getBackendInfo().native.available) expect(backends[0]).toBe("native");
    for (const b of backends.filter((x) => x !== "typescript")) {
      expect(ids).toContain(`gemm/64x4096x4096/bgemm-${b}`);
      expect(ids).toContain(`conv/256C3@16x16/bconv2d-${b}`);
    }
    for (const b of backends.slice(1).filter((x) => x !== "typescript")) {
      expect(ids).toContain(`models/mlp-784-3x4096-10 batch 1/onebit-runtime-${b}`);
      expect(ids).toContain(`models/mnist-tiny batch 1/onebit-runtime-${b}`);
    }
    expect(ids).toContain("models/mlp-784-3x4096-10 batch 256/onebit-runtime-2t");
  });

  it("gate and time binary-gemm.ts and float-gemm.ts through the harness like every other case", async () => {
    const r = await runBench(
      {
        ...quick,
        list: false,
        filter: /^gemm\/(1x4096x4096\/(bgemm-|tensor-gemm$)|pack 1x4096\/|small 4x4x4\/)/,
      },
      "pnpm bench --filter …",
    );
    expect(validateReport(JSON.parse(JSON.stringify(r)))).toEqual([]);
    const gemm = r.sections.find((s) => s.id === "gemm")!;
    const impls = gemm.results.map((x) => `${x.group}/${x.impl}`);
    expect(impls).toEqual(
      expect.arrayContaining([
        "1x4096x4096/tensor-gemm",
        `1x4096x4096/bgemm-${binaryBackends()[0]}`,
        "1x4096x4096/bgemm-wasm-i64-2t",
        "pack 1x4096/packSignsMatrix",
        "small 4x4x4/tensor-gemm-typescript",
      ]),
    );
    for (const x of gemm.results) {
      expect(x.status, `${x.impl}: ${x.note}`).toBe("ok");
      expect(x.time?.n).toBeGreaterThan(0);
    }
  });

  it("check and time real kernels end to end into a conforming report", async () => {
    const r = await runBench(
      {
        ...quick,
        list: false,
        filter: new RegExp(`^conv/512C3@8x8/(bconv2d-${binaryBackends()[0]}|tensor-conv2d)$`),
      },
      "pnpm bench --filter …",
    );
    expect(validateReport(JSON.parse(JSON.stringify(r)))).toEqual([]);
    const conv = r.sections.find((s) => s.id === "conv")!;
    expect(conv.results.map((x) => [x.impl, x.status])).toEqual([
      ["tensor-conv2d", "ok"],
      [`bconv2d-${binaryBackends()[0]}`, "ok"],
    ]);
    // The float case is the baseline when the peer is filtered out; the binary one has 32× fewer weight bytes.
    expect(conv.results[1]!.sizeRatio).toBe(32);
    expect(conv.results[1]!.speedup).toBeGreaterThan(0);
  });
});
