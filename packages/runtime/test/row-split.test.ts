import { createKernels } from "@onebit/bitops";
import { describe, expect, it } from "vitest";
import { compilePlan, createPlanMemory } from "../src/compile.js";
import { StepExecutor, rowShare } from "../src/executor.js";
import { stageInput } from "../src/input.js";
import { runColumns, splitsColumns } from "../src/threads.js";
import { loadModel } from "../src/model-source.js";
import { ModelBuilder, RECIPES, Rng } from "./random-models.js";

// What threads do, on one thread: every step's rows split into T contiguous shares (or, for wide
// dense GEMMs, its output columns into T slices), each run with its own scratch slot, in reverse
// order so a share that wrongly read another's rows would see stale data. The output must equal one
// call over all rows.

function outputWords(ex: StepExecutor, batch: number): Uint32Array {
  const o = ex.plan.output;
  const words = o.kind === "bits" ? batch * o.layout.sampleWords : batch * o.elements;
  return Uint32Array.from(ex.views.u32.subarray(o.ptr >>> 2, (o.ptr >>> 2) + words));
}

describe.each(Object.entries(RECIPES))("%s", (_name, recipe) => {
  it.each([2, 3, 5])("rows or columns split over %i threads give identical results", (threads) => {
    for (let seed = 1; seed <= 3; seed++) {
      const rng = new Rng(seed * 31 + threads);
      const model = recipe(rng);
      const { graph, graphValues } = loadModel(model);
      const batch = rng.pick([1, 2, 5]);
      const inputs = ModelBuilder.inputs(model, rng, batch);
      const make = () => {
        const compiled = compilePlan(graph, graphValues, { threadSlots: threads, capacity: 5 });
        const memory = createPlanMemory(compiled.plan, false);
        compiled.fill(memory);
        const ex = new StepExecutor(compiled.plan, createKernels({ backend: "wasm-simd", memory }));
        stageInput(ex.views, compiled.plan.input, inputs, 0, batch);
        return ex;
      };
      const whole = make();
      whole.runAll(batch);
      const split = make();
      // Leave other results in every buffer first: a slice that forgot to clear its words shows.
      stageInput(split.views, split.plan.input, ModelBuilder.inputs(model, rng, batch), 0, batch);
      split.runAll(batch);
      stageInput(split.views, split.plan.input, inputs, 0, batch);
      let byColumns = 0;
      split.plan.steps.forEach((step, i) => {
        const rows = StepExecutor.rows(step, batch);
        for (let t = threads - 1; t >= 0; t--) {
          if (splitsColumns(split, i, threads)) runColumns(split, i, t, rows);
          else {
            const [r0, r1] = rowShare(rows, t, threads);
            split.runRows(i, r0, r1, t);
          }
        }
        if (splitsColumns(split, i, threads)) byColumns++;
      });
      expect(byColumns).toBeGreaterThanOrEqual(0);
      expect(outputWords(split, batch)).toEqual(outputWords(whole, batch));
    }
  });
});

describe("column-split GEMMs", () => {
  it.each([2, 3, 4])(
    "wide dense layers split by columns over %i threads equal one call (threshold and scaleBias)",
    (threads) => {
      for (const batch of [1, 5]) {
        const rng = new Rng(threads * 10 + batch);
        const model = new ModelBuilder(rng)
          .input("uint8", [rng.int(40, 90)])
          .denseBitPlane(rng.int(32 * threads, 300), "bits")
          .binaryDense(rng.int(32 * threads, 300), "bits")
          .binaryDense(rng.int(32 * threads, 130), "scaleBias")
          .build();
        const { graph, graphValues } = loadModel(model);
        const inputs = ModelBuilder.inputs(model, rng, batch);
        const make = () => {
          const compiled = compilePlan(graph, graphValues, { threadSlots: threads, capacity: 8 });
          const memory = createPlanMemory(compiled.plan, false);
          compiled.fill(memory);
          const ex = new StepExecutor(compiled.plan, createKernels({ backend: "wasm-i64", memory }));
          stageInput(ex.views, compiled.plan.input, inputs, 0, batch);
          return ex;
        };
        const whole = make();
        whole.runAll(batch);
        const split = make();
        // Leave other results in every buffer first: a slice that forgot to clear its words shows.
        stageInput(split.views, split.plan.input, ModelBuilder.inputs(model, rng, batch), 0, batch);
        split.runAll(batch);
        stageInput(split.views, split.plan.input, inputs, 0, batch);
        let byColumns = 0;
        split.plan.steps.forEach((step, i) => {
          if (!splitsColumns(split, i, threads)) split.runRows(i, 0, StepExecutor.rows(step, batch), 0);
          else {
            byColumns++;
            for (let t = threads - 1; t >= 0; t--) runColumns(split, i, t, StepExecutor.rows(step, batch));
          }
        });
        expect(byColumns).toBe(3);
        expect(outputWords(split, batch)).toEqual(outputWords(whole, batch));
      }
    },
  );
});

describe("column-split float layers", () => {
  it.each([2, 3])(
    "wide denseFloat layers split by columns over %i threads equal one call (bits and float outputs)",
    (threads) => {
      for (const batch of [1, 4]) {
        const rng = new Rng(threads * 100 + batch);
        const model = new ModelBuilder(rng)
          .input("float32", [rng.int(10, 60)])
          .denseFloat(rng.int(32 * threads, 200), "bits")
          .binaryDense(rng.int(20, 60), "bits")
          .denseFloat(rng.int(32 * threads, 150), "float32")
          .build();
        const { graph, graphValues } = loadModel(model);
        const inputs = ModelBuilder.inputs(model, rng, batch);
        const make = () => {
          const compiled = compilePlan(graph, graphValues, { threadSlots: threads, capacity: 8 });
          const memory = createPlanMemory(compiled.plan, false);
          compiled.fill(memory);
          const ex = new StepExecutor(compiled.plan, createKernels({ backend: "wasm-i64", memory }));
          stageInput(ex.views, compiled.plan.input, inputs, 0, batch);
          return ex;
        };
        const whole = make();
        whole.runAll(batch);
        const split = make();
        // Leave other results in every buffer first: a slice that forgot to clear its words shows.
        stageInput(split.views, split.plan.input, ModelBuilder.inputs(model, rng, batch), 0, batch);
        split.runAll(batch);
        stageInput(split.views, split.plan.input, inputs, 0, batch);
        let byColumns = 0;
        split.plan.steps.forEach((step, i) => {
          const rows = StepExecutor.rows(step, batch);
          if (!splitsColumns(split, i, threads)) split.runRows(i, 0, rows, 0);
          else {
            byColumns++;
            for (let t = threads - 1; t >= 0; t--) runColumns(split, i, t, rows);
          }
        });
        expect(byColumns).toBe(2);
        expect(outputWords(split, batch)).toEqual(outputWords(whole, batch));
      }
    },
  );
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
