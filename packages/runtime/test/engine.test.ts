import { writeModel } from "@onebit/format";
import { describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { ModelBuilder, RECIPES, Rng } from "./random-models.js";
import { evaluateReference } from "./reference.js";

const BACKENDS = ["typescript", "wasm-i64", "wasm-simd"] as const;

/** The reference's value of the node the engine outputs, flattened, for every sample. */
function expected(
  model: Parameters<typeof evaluateReference>[0],
  inputs: Float32Array | Uint8Array,
  batch: number,
  node: number,
) {
  const size = inputs.length / batch;
  const out: number[] = [];
  for (let b = 0; b < batch; b++)
    out.push(...evaluateReference(model, inputs.subarray(b * size, (b + 1) * size))[node]!.data);
  return Float32Array.from(out);
}

describe.each(Object.entries(RECIPES))("%s", (_name, recipe) => {
  it.each(BACKENDS)(
    "matches the reference evaluator bit for bit (backend %s, batches 1 and odd)",
    (backend) => {
      for (let seed = 1; seed <= 6; seed++) {
        const rng = new Rng(seed * 7919 + backend.length);
        const model = recipe(rng);
        const engine = Engine.createSync(model, { backend, maxBatch: 3 });
        const scoresNode = model.graph.nodes.findIndex((n) => n.name === engine.outputInfo.name);
        for (const batch of [1, 7]) {
          const inputs = ModelBuilder.inputs(model, rng, batch);
          const result = engine.runSync(inputs);
          expect(result.batch).toBe(batch);
          expect(Array.from(result.logits), `seed ${seed} batch ${batch}`).toEqual(
            Array.from(expected(model, inputs, batch, scoresNode)),
          );
          if (result.classes !== undefined) {
            const last = model.graph.nodes.length - 1;
            for (let b = 0; b < batch; b++) {
              const size = inputs.length / batch;
              const ref = evaluateReference(model, inputs.subarray(b * size, (b + 1) * size));
              if (model.graph.nodes[last]!.op === "argmax")
                expect(result.predictions[b]).toBe(ref[last]!.data[0]);
              if (engine.outputInfo.softmax) {
                const p = ref[scoresNode + 1]!.data;
                expect(Array.from(result.probabilities!.subarray(b * p.length, (b + 1) * p.length))).toEqual(
                  p,
                );
              }
            }
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
