import { describe, expect, it } from "vitest";
import { Engine, type OffloadContext, RuntimeError } from "../src/index.js";
import { ModelBuilder, RECIPES, Rng } from "./random-models.js";

// An offload runs whole passes over the engine's memory (runtime-web's WebGPU backend does); here one
// that runs every step through `runStep`, to show the engine stages the input before a pass, reads
// the output after it, splits large batches into passes and closes the offload on dispose.

describe("EngineOptions.offload", () => {
  it("runs every pass of run() through the offload, with the same results as the kernels", async () => {
    for (const [name, recipe] of Object.entries(RECIPES)) {
      const rng = new Rng(31);
      const model = recipe(rng);
      const passes: number[] = [];
      let closed = 0;
      const engine = await Engine.create(model, {
        maxBatch: 4,
        offload: async (context: OffloadContext) => ({
          async run(batch) {
            passes.push(batch);
            for (let i = 0; i < context.plan.steps.length; i++) context.runStep(i, batch);
          },
          async close() {
            closed++;
          },
        }),
      });
      const plain = Engine.createSync(model);
      const inputs = ModelBuilder.inputs(model, rng, 6);
      expect(Array.from((await engine.run(inputs)).logits), name).toEqual(
        Array.from(plain.runSync(inputs).logits),
      );
      expect(passes, name).toEqual([4, 2]);
      await engine.dispose();
      expect(closed, name).toBe(1);
    }
  });

  it("refuses threads with an offload", async () => {
    const model = Object.values(RECIPES)[0]!(new Rng(1));
    const error = await Engine.create(model, {
      threads: 2,
      threadPool: async () => {
        throw new Error("not started");
      },
      offload: async () => ({ run: async () => {}, close: async () => {} }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).code).toBe("INVALID_ARGUMENT");
  });
});
