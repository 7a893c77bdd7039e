import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeModel } from "@onebit/format";
import { afterAll, describe, expect, it } from "vitest";
import { Engine, InferenceSession, RuntimeError } from "../src/index.js";
import { startNodePool } from "../src/node-pool.js";
import { sessionPools } from "../src/session.js";
import { ModelBuilder, RECIPES, Rng, mnistMlp, mnistMlpBytes } from "./models.js";

const dir = mkdtempSync(join(tmpdir(), "onebit-session-"));
const modelPath = join(dir, "mlp.onebit");
writeFileSync(modelPath, mnistMlpBytes());
const sessions: InferenceSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.dispose()));
  rmSync(dir, { recursive: true, force: true });
});
async function open(...args: Parameters<typeof InferenceSession.create>) {
  const s = await InferenceSession.create(...args);
  sessions.push(s);
  return s;
}

describe("InferenceSession.create", () => {
  it("loads a path, a file URL, bytes, an ArrayBuffer and an in-memory model alike", async () => {
    const bytes = mnistMlpBytes();
    const input = new Rng(1).bytes(784 * 3);
    const expected = Engine.createSync(bytes).runSync(input).logits;
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    for (const source of [modelPath, pathToFileURL(modelPath), bytes, buffer, mnistMlp()]) {
      const s = await open(source, { threads: 1 });
      expect((await s.run(input)).logits).toEqual(expected);
      expect(s.inputInfo.shape).toEqual([28, 28, 1]);
      expect(s.outputInfo).toMatchObject({ classes: 10, labels: [..."0123456789"] });
      expect(s.metadata.name).toBe("test-mlp");
    }
  });

  it("a missing file is IO_ERROR naming the path; garbage is INVALID_MODEL", async () => {
    await expect(InferenceSession.create(join(dir, "nope.onebit"))).rejects.toMatchObject({
      code: "IO_ERROR",
      message: expect.stringContaining("nope.onebit"),
    });
    const junk = join(dir, "junk.onebit");
    writeFileSync(junk, "definitely not a model");
    await expect(InferenceSession.create(junk)).rejects.toMatchObject({ code: "INVALID_MODEL" });
    await expect(InferenceSession.create(modelPath, { threads: 0 })).rejects.toBeInstanceOf(RuntimeError);
  });

  it('threads default to the machine\'s cores ("auto")', async () => {
    const s = await open(modelPath);
    expect(s.threads).toBeGreaterThanOrEqual(1);
    expect(["native", "wasm-simd", "wasm-i64", "typescript"]).toContain(s.backend);
  });
});

describe.each(Object.entries(RECIPES))("threads, %s", (_name, recipe) => {
  it("1 and 2 threads (every pass on the workers) give identical results for batches 1, 7 and 64", async () => {
    const rng = new Rng(4242);
    const model = recipe(rng);
    const bytes = writeModel(model);
    const one = await open(bytes, { threads: 1 });
    const two = await open(bytes, {
      threads: 2,
      parallelThresholdNs: Number.NEGATIVE_INFINITY,
      maxBatch: 32,
    });
    for (const batch of [1, 7, 64]) {
      const input = ModelBuilder.inputs(model, rng, batch);
      const [a, b] = await Promise.all([one.run(input), two.run(input)]);
      expect(b.logits).toEqual(a.logits);
      expect(b.classes).toBe(a.classes);
      if (a.classes !== undefined) expect(b.predictions).toEqual(a.predictions);
    }
    expect(sessionPools(two)).toHaveLength(1);
  });
});

describe("default pass placement", () => {
  it("with 2 threads and measured placement, every batch size gives the one-thread results", async () => {
    const bytes = writeModel(mnistMlp(256, 2, 5));
    const one = await open(bytes, { threads: 1 });
    const two = await open(bytes, { threads: 2, maxBatch: 64 });
    const rng = new Rng(6);
    for (const batch of [1, 1, 1, 3, 1, 1, 200, 1, 1, 1, 1, 1, 1, 1, 2, 65]) {
      const input = rng.bytes(784 * batch);
      const [a, b] = await Promise.all([one.run(input), two.run(input)]);
      expect(b.logits).toEqual(a.logits);
    }
  });
});

describe("worker failures", () => {
  const big = () => writeModel(mnistMlp(1024, 3, 7));

  it("a worker killed during a run rejects that run with WORKER_FAILED; the session recovers", async () => {
    const s = await open(big(), { threads: 2, parallelThresholdNs: Number.NEGATIVE_INFINITY });
    // 16 passes of 256 images: the run is long enough that the kill lands inside it.
    const input = new Rng(2).bytes(784 * 4096);
    const expected = (await s.run(input)).logits;
    const worker = sessionPools(s)[0]!.workers[0]!;
    const pending = s.run(input);
    // Kill it once its first pass is done: 15 passes remain, so the kill lands inside the run however
    // fast or loaded the machine is.
    await once(worker, "message");
    await worker.terminate();
    await expect(pending).rejects.toMatchObject({
      code: "WORKER_FAILED",
      message: expect.stringMatching(/worker 0/),
    });
    expect(sessionPools(s)[0]!.alive).toBe(false);
    const again = await s.run(input);
    expect(again.logits).toEqual(expected);
    expect(sessionPools(s)).toHaveLength(2);
  });

  it("a worker that dies between runs is reported, and the next run starts fresh workers", async () => {
    const reported: RuntimeError[] = [];
    const s = await open(big(), {
      threads: 2,
      parallelThresholdNs: Number.NEGATIVE_INFINITY,
      onWorkerError: (e) => reported.push(e),
    });
    const input = new Rng(3).bytes(784 * 16);
    const expected = (await s.run(input)).logits;
    await sessionPools(s)[0]!.workers[1]!.terminate();
    // The exit event arrives when it arrives (seconds on a loaded machine); the test timeout bounds the wait.
    while (reported.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      code: "WORKER_FAILED",
      message: expect.stringMatching(/worker 1 exited/),
    });
    expect((await s.run(input)).logits).toEqual(expected);
  });

  it("workers that cannot start reject with WORKER_FAILED naming the worker and why", async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const init = (control: number, threadIndex: number) =>
      ({ memory, plan: { control, steps: [] }, backend: "typescript", threadIndex, threadCount: 2 }) as never;
    // Worker 1's control block lies outside the memory: its init throws inside the worker thread.
    await expect(startNodePool([init(0, 0), init(1 << 30, 1)])).rejects.toMatchObject({
      code: "WORKER_FAILED",
      message: expect.stringMatching(/^worker 1 could not start: starting: RangeError/),
    });
    // A memory that is not shared cannot be posted to a worker at all.
    const plain = { ...(init(0, 0) as object), memory: new WebAssembly.Memory({ initial: 1 }) } as never;
    await expect(startNodePool([plain])).rejects.toMatchObject({
      code: "WORKER_FAILED",
      message: expect.stringMatching(/^worker 0 could not start: /),
    });
  });

  it("dispose stops the workers; later runs reject with DISPOSED", async () => {
    const s = await InferenceSession.create(modelPath, { threads: 2 });
    const pool = sessionPools(s)[0]!;
    await s.dispose();
    expect(pool.alive).toBe(false);
    await expect(s.run(new Uint8Array(784))).rejects.toMatchObject({ code: "DISPOSED" });
  });
});
