import { describe, expect, it, vi } from "vitest";
import {
  DEFAULT_LIMITS,
  Engine,
  RuntimeError,
  type ThreadPoolFactory,
  describeCost,
  describeModel,
  formatCostReport,
} from "../src/index.js";
import { ModelBuilder, Rng } from "./random-models.js";

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<RuntimeError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeError);
    return e as RuntimeError;
  }
  throw new Error("expected a RuntimeError");
}

/** float [n, n, 1] → max-pool k×k, stride 1, 'same' (the 324-byte model of issue 13). */
function poolModel(n: number, k: number) {
  return new ModelBuilder(new Rng(1))
    .input("float32", [n, n, 1])
    .maxPool([k, k], [1, 1], "same")
    .build("pool");
}

/** A thread pool factory that records whether anything started (nothing may, before the checks). */
function watchedPool() {
  const factory = vi.fn<ThreadPoolFactory>(() => Promise.reject(new Error("no workers in this test")));
  return factory;
}

describe("bounded cost (issue 13 items 3–5)", () => {
  it("refuses a 65535×65535 max-pool by its counted comparisons, before planning", async () => {
    const pool = watchedPool();
    const e = await rejection(Engine.create(poolModel(256, 65_535), { threads: 2, threadPool: pool }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(e.limit).toEqual({ name: "maxComparisonsPerSample", value: 256 ** 4 + 256 ** 2, max: 2 ** 30 });
    expect(e.message).toMatch(/limits: \{ maxComparisonsPerSample: 4295032832 \}/);
    expect(pool).not.toHaveBeenCalled();
    // Raised, the same model is accepted (and a small one runs as a global max).
    const raised = Engine.createSync(poolModel(256, 65_535), {
      limits: { maxComparisonsPerSample: 2 ** 33 },
    });
    expect(raised.cost.comparisons).toBe(256 ** 4 + 256 ** 2);
    const small = Engine.createSync(poolModel(4, 65_535));
    const x = Float32Array.from({ length: 16 }, (_, i) => (i * 7) % 16);
    expect(Array.from(small.runSync(x).logits)).toEqual(new Array(16).fill(15));
  });

  it("refuses a [16384, 16384, 1] input by its plan memory before reserving it or starting workers", async () => {
    const pool = watchedPool();
    const memory = vi.spyOn(WebAssembly, "Memory");
    try {
      const model = new ModelBuilder(new Rng(2))
        .input("float32", [16_384, 16_384, 1])
        .maxPool([1, 1], [1, 1], "valid")
        .build("huge");
      const e = await rejection(Engine.create(model, { threads: 2, threadPool: pool }));
      expect(e.code).toBe("LIMIT_EXCEEDED");
      expect(e.limit?.name).toBe("maxPlanBytes");
      expect(e.limit!.value).toBeGreaterThan(2 ** 31);
      expect(e.message).toMatch(/maxPlanBytes/);
      expect(memory).not.toHaveBeenCalled();
      expect(pool).not.toHaveBeenCalled();
      const report = describeCost(model);
      expect(report.violations.map((v) => v.limit)).toEqual(["maxPlanBytes"]);
      expect(formatCostReport(report)).toMatch(/EXCEEDS maxPlanBytes/);
    } finally {
      memory.mockRestore();
    }
  });

  it("refuses a run whose result would exceed maxResultBytes, with a typed error instead of a RangeError", async () => {
    const model = new ModelBuilder(new Rng(3))
      .input("float32", [1])
      .denseFloat(4096, "float32")
      .build("wide");
    const engine = Engine.createSync(model);
    for (const batch of [262_144, 8_388_608]) {
      const input = new Float32Array(batch);
      const e = await rejection(engine.run(input));
      expect(e.code).toBe("LIMIT_EXCEEDED");
      expect(e.limit).toEqual({ name: "maxResultBytes", value: engine.resultBytes(batch), max: 2 ** 28 });
      expect((await rejection(() => engine.runSync(input))).code).toBe("LIMIT_EXCEEDED");
    }
    const small = new Float32Array(16);
    const e = await rejection(engine.run(small, { limits: { maxResultBytes: 1000 } }));
    expect(e.limit?.name).toBe("maxResultBytes");
    expect((await engine.run(small)).logits).toHaveLength(16 * 4096);
    const strict = Engine.createSync(model, { limits: { maxResultBytes: 1000 } });
    expect((await rejection(strict.run(small))).code).toBe("LIMIT_EXCEEDED");
    expect((await strict.run(small, { limits: { maxResultBytes: 2 ** 20 } })).batch).toBe(16);
  });

  it("counts MACs against maxMacsPerSample", async () => {
    const model = new ModelBuilder(new Rng(4)).input("float32", [64]).denseFloat(64, "float32").build("mlp");
    const e = await rejection(() => Engine.createSync(model, { limits: { maxMacsPerSample: 4095 } }));
    expect(e.limit).toEqual({ name: "maxMacsPerSample", value: 4096, max: 4095 });
    expect(Engine.createSync(model, { limits: { maxMacsPerSample: 4096 } }).cost.floatMacs).toBe(4096);
    expect(describeModel(model).cost.floatMacs).toBe(4096);
  });
});

describe("options are validated (issue 13 items 5, 7)", () => {
  const model = new ModelBuilder(new Rng(5)).input("float32", [8]).denseFloat(3, "float32").build("tiny");

  it.each([
    [{ maxPlanBytes: Number.NaN }, /maxPlanBytes/],
    [{ maxPlanBytes: -1 }, /maxPlanBytes/],
    [{ maxMacsPerSample: 1.5 }, /maxMacsPerSample/],
    [{ maxResultBytes: "1e9" }, /maxResultBytes/],
    [{ maxResultByte: 10 }, /unknown limit/],
    [null, /expected an object/],
  ])("limits %j is INVALID_ARGUMENT", async (limits, message) => {
    const e = await rejection(() => Engine.createSync(model, { limits: limits as never }));
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toMatch(message);
  });

  it("accepts Infinity as no limit, and keeps the defaults otherwise", () => {
    const e = Engine.createSync(model, { limits: { maxPlanBytes: Number.POSITIVE_INFINITY } });
    expect(e.limits).toEqual({ ...DEFAULT_LIMITS, maxPlanBytes: Number.POSITIVE_INFINITY });
  });

  it("rejects null or non-object run options and a NaN parallelThresholdNs", async () => {
    const engine = Engine.createSync(model);
    const x = new Float32Array(8);
    for (const options of [null, 3, "shape"]) {
      expect((await rejection(engine.run(x, options as never))).code).toBe("INVALID_ARGUMENT");
      expect((await rejection(() => engine.runSync(x, options as never))).code).toBe("INVALID_ARGUMENT");
    }
    const e = await rejection(engine.run(x, { limits: { maxPlanBytes: 5 } as never }));
    expect(e.message).toMatch(/unknown limit/);
    expect((await rejection(() => Engine.createSync(model, { parallelThresholdNs: Number.NaN }))).code).toBe(
      "INVALID_ARGUMENT",
    );
    expect((await rejection(() => Engine.createSync(model, null as never))).code).toBe("INVALID_ARGUMENT");
  });
});
