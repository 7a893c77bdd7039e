import { describe, expect, expectTypeOf, it } from "vitest";
import { DEFAULT_LIMITS, InferenceSession, type RunResult, RuntimeError, Tensor } from "../src/index.js";
import { mlpModel } from "./test-models.js";

async function rejection(p: Promise<unknown>): Promise<RuntimeError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(RuntimeError);
  return e as RuntimeError;
}

describe("limits in the web session (same options as runtime-node)", () => {
  it("passes limits through, validates them and types run(img, null)", async () => {
    const model = mlpModel();
    const s = await InferenceSession.create(model, { limits: { maxResultBytes: 1000 } });
    const e = await rejection(s.run(new Uint8Array(784 * 64)));
    expect(e).toMatchObject({ code: "LIMIT_EXCEEDED", limit: { name: "maxResultBytes", max: 1000 } });
    expect((await rejection(s.run(new Uint8Array(784), null as never))).code).toBe("INVALID_ARGUMENT");
    expect(() => s.runSync(new Uint8Array(784), null as never)).toThrow(RuntimeError);
    const strict = await rejection(InferenceSession.create(model, { limits: { maxMacsPerSample: 1000 } }));
    expect(strict.limit?.name).toBe("maxMacsPerSample");
    for (const limits of [{ maxPlanBytes: Number.NaN }, { maxComparisonsPerSample: 0 }, { typo: 1 }]) {
      expect((await rejection(InferenceSession.create(model, { limits } as never))).code).toBe(
        "INVALID_ARGUMENT",
      );
    }
    expect((await rejection(InferenceSession.create(model, { maxBatch: 0 }))).code).toBe("INVALID_ARGUMENT");
    expect(DEFAULT_LIMITS.maxPlanBytes).toBe(2 ** 30);
    await s.dispose();
  });

  it("runs named feeds and returns named outputs", async () => {
    const s = await InferenceSession.create(mlpModel());
    expect(s.inputNames).toEqual(["image"]);
    expect(s.outputNames).toEqual(["dense2", "probabilities"]);
    const images = Uint8Array.from({ length: 784 * 2 }, (_, i) => (i * 37) % 256);
    const plain = await s.run(images);
    expectTypeOf(plain).toEqualTypeOf<RunResult>();
    expectTypeOf(plain.predictions).toEqualTypeOf<Int32Array>();
    const named = await s.run({ image: new Tensor(images, [2, 28, 28, 1]) });
    expect(named["dense2"]).toMatchObject({ type: "float32", dims: [2, 10] });
    expect(Array.from(named["dense2"]!.data)).toEqual(Array.from(plain.logits));
    expect(Array.from(named["probabilities"]!.data)).toEqual(Array.from(plain.probabilities));
    await s.dispose();
  });
});
