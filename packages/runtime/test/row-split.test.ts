import { createKernels } from "@onebit/bitops";
import { describe, expect, it } from "vitest";
import { compilePlan, createPlanMemory } from "../src/compile.js";
import { StepExecutor, rowShare } from "../src/executor.js";
import { stageInput } from "../src/input.js";
import { loadModel } from "../src/model-source.js";
import { ModelBuilder, RECIPES, Rng } from "./random-models.js";

// What threads do, on one thread: every step's rows split into T contiguous shares, each run with
// its own scratch slot (in reverse order, so a share that wrongly read another's rows would see
// stale data). The output must equal one call over all rows.

function outputWords(ex: StepExecutor, batch: number): Uint32Array {
  const o = ex.plan.output;
  const words = o.kind === "float32" ? batch * o.elements : batch * o.layout.sampleWords;
  return Uint32Array.from(ex.views.u32.subarray(o.ptr >>> 2, (o.ptr >>> 2) + words));
}

describe.each(Object.entries(RECIPES))("%s", (_name, recipe) => {
  it.each([2, 3, 5])("rows split over %i threads give identical results", (threads) => {
    for (let seed = 1; seed <= 3; seed++) {
      const rng = new Rng(seed * 31 + threads);
      const { model, values } = loadModel(recipe(rng));
      const batch = rng.pick([1, 2, 5]);
      const inputs = ModelBuilder.inputs(model, rng, batch);
      const make = () => {
        const compiled = compilePlan(model, values, { threadSlots: threads, capacity: 5 });
        const memory = createPlanMemory(compiled.plan, false);
        compiled.fill(memory);
        const ex = new StepExecutor(compiled.plan, createKernels({ backend: "wasm-simd", memory }));
        stageInput(ex.views, compiled.plan.input, inputs, 0, batch);
        return ex;
      };
      const whole = make();
      whole.runAll(batch);
      const split = make();
      split.plan.steps.forEach((step, i) => {
        for (let t = threads - 1; t >= 0; t--) {
          const [r0, r1] = rowShare(StepExecutor.rows(step, batch), t, threads);
          split.runRows(i, r0, r1, t);
        }
      });
      expect(outputWords(split, batch)).toEqual(outputWords(whole, batch));
    }
  });
});

describe("rowShare", () => {
  it("covers every row exactly once, in order", () => {
    for (const rows of [0, 1, 2, 7, 64, 1001]) {
      for (const threads of [1, 2, 3, 16]) {
        let next = 0;
        for (let t = 0; t < threads; t++) {
          const [a, b] = rowShare(rows, t, threads);
          expect(a).toBe(next);
          expect(b).toBeGreaterThanOrEqual(a);
          next = b;
        }
        expect(next).toBe(rows);
      }
    }
  });
});
