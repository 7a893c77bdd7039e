import { Engine } from "@onebit/runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InferenceSession, RuntimeError, getBackendInfo } from "../src/index.js";
import { convModel, mlpModel } from "./test-models.js";

// The session outside a browser (Node.js has no Web Workers): one thread, the shared engine's
// results, the engine's errors. Threads are tested in Chromium (browser.test.ts).

const models = { mlp: mlpModel(), conv: convModel() };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (error) {
    expect(error).toBeInstanceOf(RuntimeError);
    return (error as RuntimeError).code;
  }
}

describe("InferenceSession", () => {
  it("describes the model, its size and its backend", async () => {
    const session = await InferenceSession.create(models.conv);
    expect(session.inputInfo).toMatchObject({ dtype: "uint8", shape: [28, 28, 1], size: 784 });
    expect(session.outputInfo).toMatchObject({
      classes: 10,
      labels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    });
    expect(session.metadata.name).toBe("test-conv");
    expect(session.modelBytes).toBe(models.conv.byteLength);
    expect(session.threads).toBe(1);
    expect(session.backend).toBe(session.getBackendInfo().backend);
    const info = session.getBackendInfo();
    expect(info).toMatchObject({
      threads: 1,
      requestedThreads: 1,
      crossOriginIsolated: false,
      threadedRuns: 0,
    });
    expect(info.reason).toMatch(/Web Workers are not available/);
    expect(["wasm-simd", "wasm-i64", "typescript"]).toContain(info.backend);
    await session.dispose();
  });

  it('backend "webgpu" without navigator.gpu (Node.js) is a typed error naming what is missing', async () => {
    const error = await InferenceSession.create(models.mlp, { backend: "webgpu" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect((error as RuntimeError).message).toMatch(
      /^backend: webgpu cannot run here: navigator\.gpu is missing/,
    );
  });

  it("asked for threads where there are no workers, runs on one thread and says why", async () => {
    const session = await InferenceSession.create(models.mlp, { threads: 3 });
    expect(session.getBackendInfo()).toMatchObject({ threads: 1, requestedThreads: 3 });
    expect(session.getBackendInfo().reason).toMatch(/3 threads requested, running on 1/);
    expect(getBackendInfo()).toMatchObject({ available: false, workers: false, defaultThreads: 1 });
    await session.dispose();
  });

  it("gives the engine's results for any batch, async and sync, on every backend", async () => {
    for (const [name, bytes] of Object.entries(models)) {
      const engine = Engine.createSync(bytes);
      const sessions = await Promise.all(
        (["auto", "wasm-i64", "typescript"] as const).map((backend) =>
          InferenceSession.create(bytes, { backend }),
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          fc
            .integer({ min: 1, max: 5 })
            .chain((batch) => fc.uint8Array({ minLength: batch * 784, maxLength: batch * 784 })),
          async (x) => {
            const want = engine.runSync(x);
            for (const session of sessions) {
              const got = await session.run(x);
              expect(got.logits, name).toEqual(want.logits);
              expect(got.predictions).toEqual(want.predictions);
              expect(session.runSync(x).logits).toEqual(want.logits);
            }
          },
        ),
        { numRuns: 10 },
      );
      await Promise.all(sessions.map((s) => s.dispose()));
    }
  });

  it("returns the top classes of each sample", async () => {
    const session = await InferenceSession.create(models.mlp);
    const x = Uint8ClampedArray.from({ length: 2 * 784 }, (_, i) => (i * 7) & 255);
    const result = await session.run(x, { shape: [2, 28, 28, 1] });
    for (const sample of [0, 1]) {
      const top = result.top(3, sample);
      expect(top.map((t) => t.index)[0]).toBe(result.predictions![sample]);
      expect(top[0]!.probability).toBeGreaterThanOrEqual(top[1]!.probability);
      expect(top[0]!.label).toBe(String(top[0]!.index));
    }
    await session.dispose();
  });

  it("rejects bad options, inputs and use after dispose with RuntimeError codes", async () => {
    expect(await codeOf(InferenceSession.create(models.mlp, { threads: 0 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(InferenceSession.create(models.mlp, { threads: 1.5 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(InferenceSession.create(models.mlp, { threads: "all" as never }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(await codeOf(InferenceSession.create(models.mlp, { threads: "auto" }))).toBe("resolved");
    expect(await codeOf(InferenceSession.create(models.mlp, { backend: "gpu" as never }))).toBe(
      "INVALID_ARGUMENT",
    );
    // No native addon in a page (nor registered here): a typed error that says why.
    await expect(InferenceSession.create(models.mlp, { backend: "native" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/native cannot run here/),
    });
    expect(await codeOf(InferenceSession.create(models.mlp.subarray(0, 100)))).toBe("INVALID_MODEL");
    const session = await InferenceSession.create(models.mlp);
    expect(await codeOf(session.run(new Uint8Array(783)))).toBe("SHAPE_MISMATCH");
    expect(await codeOf(session.run(new Float32Array(784)))).toBe("DTYPE_MISMATCH");
    expect(await codeOf(session.run(new Uint8Array(784), { shape: [2, 28, 28, 1] }))).toBe("SHAPE_MISMATCH");
    await session.dispose();
    await session.dispose();
    expect(session.disposed).toBe(true);
    expect(await codeOf(session.run(new Uint8Array(784)))).toBe("DISPOSED");
  });
});
