import { describe, expect, it } from "vitest";
import { listCases } from "../src/run-bench.js";
import { engineRunner } from "../src/sections/runtime-runners.js";
import { loadQuicknet, quicknetInput, readQuicknetReference } from "../src/sections/quicknet.js";
import { checkQuicknet } from "../src/sections/residual.js";

describe("the residual section (QuickNet converted by @onebit/lce)", () => {
  it("plans QuickNet on every compiled backend", async () => {
    const ids = await listCases({
      mode: "quick",
      threads: 2,
      json: false,
      outDir: "/tmp/unused",
      list: true,
    });
    expect(ids).toContain("residual/quicknet 224x224x3 batch 1/onebit-runtime");
    expect(ids).toContain("residual/quicknet 224x224x3 batch 1/onebit-runtime-wasm-i64");
    expect(ids).toContain("residual (untimed figures)");
  });

  it("keeps the reference probabilities of the seeded input (a distribution over 1000 classes)", () => {
    const ref = readQuicknetReference()!;
    expect(ref.probabilities).toHaveLength(1000);
    expect(ref.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
  });

  it("passes the runtime's answer and rejects a wrong one", () => {
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
