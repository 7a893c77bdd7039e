import { runReference, writeGraphModel } from "@onebit/format";
import { describe, expect, it, vi } from "vitest";
import { residualModel } from "../../format/test/graph-builder.js";
import { loadedGraphSupport } from "../src/graph-loader.js";
import { GRAPH_STEP_OPS } from "../src/plan.js";
import { Engine, RuntimeError, describeModel } from "../src/index.js";
import { ModelBuilder, RECIPES, Rng } from "./random-models.js";

// The browser build's loader (tsup.config.ts swaps it in there): the graph code — what only version 2
// graphs need — loads on demand, so pages that run version 1 chains never download it. Here it
// replaces the Node.js loader (which has the graph code at hand), so this file sees what a page sees.
vi.mock("../src/graph-loader.js", () => import("../src/graph-loader.browser.js"));

const graphSteps = new Set<string>(GRAPH_STEP_OPS);

describe("the graph code, loaded on demand", () => {
  it("is not needed by version 1 chains: their plans have no graph step, and they run", () => {
    for (const [name, recipe] of Object.entries(RECIPES)) {
      for (let seed = 1; seed <= 4; seed++) {
        const rng = new Rng(seed);
        const model = recipe(rng);
        const engine = Engine.createSync(model, { backend: "typescript" });
        const kinds = engine.plan.steps.map((s) => s.op);
        expect(
          kinds.filter((op) => graphSteps.has(op)),
          `${name}, seed ${seed}`,
        ).toEqual([]);
        const result = engine.runSync(ModelBuilder.inputs(model, rng, 2));
        expect(result.logits.every(Number.isFinite), `${name}, seed ${seed}`).toBe(true);
      }
    }
    expect(loadedGraphSupport()).toBeUndefined();
  });

  it("is needed by version 2 models: synchronous calls say how to load it, Engine.create loads it", async () => {
    const model = residualModel(2);
    const bytes = writeGraphModel(model);
    // Reading and describing one uses @onebit/format's version 2 reader and op table, which come
    // with the graph code too.
    const calls = [
      () => Engine.createSync(model),
      () => Engine.createSync(bytes),
      () => describeModel(bytes),
    ];
    for (const call of calls) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuntimeError);
      expect((error as RuntimeError).code).toBe("INVALID_ARGUMENT");
      expect((error as RuntimeError).message).toMatch(/await loadGraphSupport\(\) first/);
    }
    expect(loadedGraphSupport()).toBeUndefined();

    const engine = await Engine.create(bytes, { backend: "typescript" });
    expect(loadedGraphSupport()).toBeDefined();
    expect(describeModel(bytes).nodes.map((n) => n.op)).toContain("add");
    const x = new Rng(5).bytes(3 * 8 * 8 * 3);
    const scores = engine.outputInfo.name;
    const want = runReference({ ...model, graph: { ...model.graph, outputs: [scores] } }, { image: x }, 3);
    expect(Array.from(engine.runSync(x).logits)).toEqual(Array.from(want[scores]!.data));
    // Once loaded, the synchronous calls plan version 2 models too.
    expect(Engine.createSync(model, { backend: "typescript" }).plan.steps.length).toBe(
      engine.plan.steps.length,
    );
    await engine.dispose();
  });
});
