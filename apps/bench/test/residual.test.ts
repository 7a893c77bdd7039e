import { describe, expect, it } from "vitest";
import { listCases } from "../src/run-bench.js";
import { engineRunner } from "../src/sections/runtime-runners.js";
import { loadQuicknet, quicknetInput, readQuicknetReference } from "../src/sections/quicknet.js";
import { biRealInput, loadBiReal, readBiRealReference } from "../src/sections/bireal.js";
import { checkLogits, checkQuicknet } from "../src/sections/residual.js";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { checkAgainst, shippedGraph, shippedGraphOrtCases } from "../src/sections/shipped-graphs.js";
import { findShippedModels } from "../src/sections/shipped-models.js";
import { runCase } from "../src/harness/run-case.js";

describe("the residual section (a Bi-Real-shaped CIFAR ResNet, and QuickNet converted by @onebit/lce)", () => {
  it("plans both graphs on every compiled backend, the Bi-Real one against its float graph", async () => {
    const ids = await listCases({
      mode: "quick",
      threads: 2,
      json: false,
      outDir: "/tmp/unused",
      list: true,
    });
    expect(ids).toContain("residual/quicknet 224x224x3 batch 1/onebit-runtime");
    expect(ids).toContain("residual/quicknet 224x224x3 batch 1/onebit-runtime-wasm-i64");
    expect(ids).toContain("residual/quicknet 224x224x3 batch 1/ort-1t");
    expect(ids).toContain("residual/bireal-cifar 32x32x3 batch 1/onebit-runtime-wasm-simd");
    expect(ids).toContain("residual (untimed figures)");
    // The residual net apps/train ships (a version 2 graph) is timed here, not in the models section.
    expect(ids).toContain("residual/fmnist-bireal 28x28x1 batch 1/ort-1t");
    expect(ids).toContain("residual/fmnist-bireal 28x28x1 batch 1/onebit-runtime-wasm-i64");
    expect(ids.some((id) => id.startsWith("models/fmnist-bireal"))).toBe(false);
  });

  it("tells shipped graphs from version 1 chains and checks both sides of a graph against the reference", async () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const read = (file: string) => new Uint8Array(readFileSync(`${root}/${file}`));
    expect(shippedGraph("models/mnist-tiny.onebit", read("models/mnist-tiny.onebit"))).toBeUndefined();
    const { graphs } = await findShippedModels(root);
    const g = graphs.find((x) => x.name === "fmnist-bireal")!;
    expect(g.group).toBe("fmnist-bireal 28x28x1 batch 1");
    const runner = engineRunner(g.bytes, 1);
    const logits = runner.run(g.input()) as Float32Array;
    void runner.dispose();
    const want = g.reference();
    expect(want).toHaveLength(10);
    expect(checkAgainst(logits, want, "runtime", 1e-4)).toEqual({ ok: true });
    const wrong = Float32Array.from(logits);
    wrong[7] = wrong[7]! + 0.05 * Math.max(1, Math.abs(wrong[7]!));
    expect(checkAgainst(wrong, want, "runtime", 1e-4).ok).toBe(false);
    const ort = await runCase(shippedGraphOrtCases(g, 1)[0]!, {
      warmupMs: 0,
      settleCapMs: 0,
      targetMs: 1,
      minSamples: 1,
      maxSamples: 2,
      capMs: 50,
      minSampleMs: 0,
    });
    expect(ort.status).toBe("ok");
  });

  it("keeps the reference probabilities of the seeded input (a distribution over 1000 classes)", () => {
    const ref = readQuicknetReference()!;
    expect(ref.probabilities).toHaveLength(1000);
    expect(ref.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
  });

  it("builds the Bi-Real graph as the issue describes it: 16 binary 3×3 convs with real shortcuts, float stem and head", () => {
    const g = loadBiReal();
    const ops = g.binary.graph.nodes.map((n) => n.op);
    expect(ops.filter((o) => o === "bconv2d")).toHaveLength(16);
    expect(ops.filter((o) => o === "add")).toHaveLength(16);
    expect(ops.filter((o) => o === "avgPool2d")).toHaveLength(3);
    expect([ops[0], ops.at(-2), ops.at(-1)]).toEqual(["conv2d", "globalAvgPool", "dense"]);
    // The float graph: the same nodes, float convs in place of sign + binary conv.
    expect(g.float.graph.nodes.filter((n) => n.op === "conv2d")).toHaveLength(1 + 16 + 3);
    expect(g.float.graph.nodes.some((n) => n.op === "bconv2d" || n.op === "sign")).toBe(false);
  });

  it("passes the runtime's Bi-Real answer and rejects a wrong one", () => {
    const runner = engineRunner(loadBiReal().file, 1);
    const logits = runner.run(biRealInput()) as Float32Array;
    void runner.dispose();
    const want = readBiRealReference()!.binaryLogits;
    expect(checkLogits(logits, want, "Bi-Real")).toEqual({ ok: true });
    const wrong = Float32Array.from(logits);
    wrong[3] = wrong[3]! + 0.01;
    expect(checkLogits(wrong, want, "Bi-Real").ok).toBe(false);
    expect(checkLogits(logits, undefined, "Bi-Real").ok).toBe(false);
  });

  it("passes the runtime's QuickNet answer and rejects a wrong one", () => {
    const runner = engineRunner(loadQuicknet().bytes, 1);
    const logits = runner.run(quicknetInput()) as Float32Array;
    void runner.dispose();
    expect(checkQuicknet(logits)).toEqual({ ok: true });
    const wrong = Float32Array.from(logits);
    const top = wrong.indexOf(Math.max(...wrong));
    wrong[top] = wrong[top]! - 5;
    expect(checkQuicknet(wrong).ok).toBe(false);
    expect(checkQuicknet(logits.subarray(1)).ok).toBe(false);
  });
});
