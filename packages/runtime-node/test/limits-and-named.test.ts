import { afterAll, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  type InferenceOutputs,
  InferenceSession,
  type RunResult,
  RuntimeError,
  Tensor,
} from "../src/index.js";
import { WorkerPool } from "@onebit/runtime/workers";
import { ModelBuilder, Rng, mnistMlpBytes } from "./models.js";

const sessions: InferenceSession[] = [];
afterAll(() => Promise.all(sessions.map((s) => s.dispose())));
async function open(...args: Parameters<typeof InferenceSession.create>) {
  const s = await InferenceSession.create(...args);
  sessions.push(s);
  return s;
}

async function rejection(p: Promise<unknown>): Promise<RuntimeError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(RuntimeError);
  return e as RuntimeError;
}

describe("limits (issue 13 items 3–5, 7)", () => {
  it("refuses a [16384, 16384, 1] model with threads: 'auto' before reserving memory or starting workers", async () => {
    const start = vi.spyOn(WorkerPool, "start");
    try {
      const model = new ModelBuilder(new Rng(1))
        .input("float32", [16_384, 16_384, 1])
        .maxPool([1, 1], [1, 1], "valid")
        .build("huge");
      const e = await rejection(InferenceSession.create(model, { threads: "auto" }));
      expect(e.code).toBe("LIMIT_EXCEEDED");
      expect(e.limit?.name).toBe("maxPlanBytes");
      expect(start).not.toHaveBeenCalled();
    } finally {
      start.mockRestore();
    }
  });

  it("passes limits through and validates them", async () => {
    const bytes = mnistMlpBytes();
    const s = await open(bytes, { threads: 1, limits: { maxResultBytes: 1000 } });
    const e = await rejection(s.run(new Uint8Array(784 * 64)));
    expect(e.limit).toMatchObject({ name: "maxResultBytes", max: 1000 });
    expect(e.message).toMatch(/limits: \{ maxResultBytes: \d+ \}/);
    expect((await s.run(new Uint8Array(784 * 64), { limits: { maxResultBytes: 2 ** 20 } })).batch).toBe(64);
    for (const limits of [{ maxPlanBytes: Number.NaN }, { maxMacsPerSample: -5 }, { nope: 1 }]) {
      expect((await rejection(InferenceSession.create(bytes, { threads: 1, limits } as never))).code).toBe(
        "INVALID_ARGUMENT",
      );
    }
    expect((await rejection(InferenceSession.create(bytes, null as never))).code).toBe("INVALID_ARGUMENT");
  });

  it("session.run(img, null) is a typed error", async () => {
    const s = await open(mnistMlpBytes(), { threads: 1 });
    const e = await rejection(s.run(new Uint8Array(784), null as never));
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toMatch(/options must be an object/);
  });
});

describe("ONNX-Runtime-style named inputs and outputs", () => {
  it("runs { [inputName]: Tensor } and returns the scores, probabilities and predictions by name", async () => {
    const s = await open(mnistMlpBytes(), { threads: 1 });
    expect(s.inputNames).toEqual(["image"]);
    expect(s.outputNames).toEqual(["logits", "probs", "class"]);
    const images = new Rng(3).bytes(784 * 3);
    const plain = await s.run(images, { shape: [3, 28, 28, 1] });
    const named = await s.run({ image: new Tensor("uint8", images, [3, 28, 28, 1]) });
    expectTypeOf(named).toEqualTypeOf<InferenceOutputs>();
    expectTypeOf(plain).toEqualTypeOf<RunResult>();
    expectTypeOf(plain.predictions).toEqualTypeOf<Int32Array>();
    expect(named["logits"]).toMatchObject({ type: "float32", dims: [3, 10] });
    expect(Array.from(named["logits"]!.data)).toEqual(Array.from(plain.logits));
    expect(Array.from(named["probs"]!.data)).toEqual(Array.from(plain.probabilities));
    expect(named["class"]).toMatchObject({ type: "int32", dims: [3] });
    expect(Array.from(named["class"]!.data)).toEqual(Array.from(plain.predictions));
    // One sample with the sample shape as dims; ONNX-Runtime-shaped plain objects work too.
    const one = await s.run({ image: { data: images.subarray(0, 784), dims: [28, 28, 1] } as never });
    expect(Array.from(one["class"]!.data)).toEqual([plain.predictions[0]]);
  });

  it("names what is wrong with feeds", async () => {
    const s = await open(mnistMlpBytes(), { threads: 1 });
    const t = new Tensor("uint8", new Uint8Array(784), [1, 28, 28, 1]);
    expect((await rejection(s.run({ pixels: t }))).message).toMatch(/expected exactly the input "image"/);
    expect((await rejection(s.run({}))).code).toBe("INVALID_ARGUMENT");
    expect((await rejection(s.run({ image: new Tensor(new Float32Array(784), [1, 28, 28, 1]) }))).code).toBe(
      "DTYPE_MISMATCH",
    );
    expect((await rejection(s.run({ image: new Tensor(new Uint8Array(784), [28, 28]) }))).code).toBe(
      "SHAPE_MISMATCH",
    );
    expect(() => new Tensor(new Uint8Array(784), [2, 28, 28, 1])).toThrow(/hold 1568 elements/);
    expect(() => new Tensor("float32", new Uint8Array(3) as never)).toThrow(RuntimeError);
  });
});
