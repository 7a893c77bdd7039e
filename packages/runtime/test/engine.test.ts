import { type OnebitModel, runReference, toGraphModel, writeModel } from "@onebit/format";
import { describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { ModelBuilder, RECIPES, Rng } from "./random-models.js";

const BACKENDS = ["typescript", "wasm-i64", "wasm-simd"] as const;

/**
 * The values of graph nodes `names` for every sample, by @onebit/format's reference interpreter
 * (the executable spec) over the model read as a version 2 graph.
 */
function reference(model: OnebitModel, inputs: Float32Array | Uint8Array, batch: number, names: string[]) {
  const graph = toGraphModel(model);
  const input = graph.graph.inputs[0]!.name;
  return runReference({ ...graph, graph: { ...graph.graph, outputs: names } }, { [input]: inputs }, batch);
}

describe.each(Object.entries(RECIPES))("%s", (_name, recipe) => {
  it.each(BACKENDS)(
    "matches the reference evaluator bit for bit (backend %s, batches 1 and odd)",
    (backend) => {
      for (let seed = 1; seed <= 6; seed++) {
        const rng = new Rng(seed * 7919 + backend.length);
        const model = recipe(rng);
        const engine = Engine.createSync(model, { backend, maxBatch: 3 });
        for (const batch of [1, 7]) {
          const inputs = ModelBuilder.inputs(model, rng, batch);
          const result = engine.runSync(inputs);
          expect(result.batch).toBe(batch);
          const ref = reference(model, inputs, batch, [...engine.outputNames]);
          expect(Array.from(result.logits), `seed ${seed} batch ${batch}`).toEqual(
            Array.from(ref[engine.outputInfo.name]!.data),
          );
          const named = engine.namedOutputs(result);
          for (const name of engine.outputNames.slice(1)) {
            // softmax: probabilities within float32 rounding of the reference's; argmax: the same class.
            const got = Array.from(named[name]!.data);
            const want = Array.from(ref[name]!.data);
            if (named[name]!.type === "int32") expect(got).toEqual(want);
            else
              got.forEach((p, i) => {
                expect(p).toBeCloseTo(want[i]!, 6);
              });
          }
        }
      }
    },
  );

  it("reads the same model from .onebit bytes", () => {
    const rng = new Rng(99);
    const model = recipe(rng);
    const fromObject = Engine.createSync(model);
    const fromBytes = Engine.createSync(writeModel(model));
    const inputs = ModelBuilder.inputs(model, rng, 5);
    expect(fromBytes.runSync(inputs).logits).toEqual(fromObject.runSync(inputs).logits);
  });
});
