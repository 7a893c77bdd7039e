import { describe, expect, it, vi } from "vitest";
import type { PlanData, WorkerInit } from "../src/plan.js";
import { WorkerPool, type WorkerEvents } from "../src/worker-pool.js";
import { type FromWorker, type ToWorker, workerMessageHandler } from "../src/worker-protocol.js";

// The one worker protocol and its pool, with scripted in-process workers (real threads run it in
// runtime-node's worker_threads tests and runtime-web's Chromium tests).

/** Inits over a shared memory whose control block is at 0 (all the pool itself reads). */
function inits(count: number): WorkerInit[] {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const plan = { control: 0, steps: [] } as unknown as PlanData;
  return Array.from({ length: count }, (_, i) => ({
    memory,
    plan,
    backend: "typescript",
    threadIndex: i,
    threadCount: count,
  })) as unknown as WorkerInit[];
}

/** A worker that answers each message with `script` (undefined: no answer), asynchronously. */
class ScriptedWorker {
  readonly received: ToWorker[] = [];
  terminated = false;
  constructor(
    readonly events: WorkerEvents,
    private readonly script: (m: ToWorker) => FromWorker | undefined,
  ) {}
  postMessage(m: ToWorker): void {
    this.received.push(m);
    const reply = this.script(m);
    if (reply) queueMicrotask(() => !this.terminated && this.events.message(reply));
  }
  terminate(): void {
    this.terminated = true;
  }
}

const READY: FromWorker = { type: "ready", floatGlue: "typescript" };

const healthy = (m: ToWorker): FromWorker => (m.type === "init" ? READY : { type: "done", id: m.id });

async function startScripted(
  count: number,
  script: (index: number) => (m: ToWorker) => FromWorker | undefined,
  options: { onIdleFailure?: (e: unknown) => void; startTimeoutMs?: number; abortGraceMs?: number } = {},
) {
  const workers: ScriptedWorker[] = [];
  const list = inits(count);
  const pool = await WorkerPool.start(
    list,
    (i, events) => {
      const w = new ScriptedWorker(events, script(i));
      workers[i] = w;
      return w;
    },
    { startTimeoutMs: options.startTimeoutMs ?? 5_000, ...options },
  );
  return { pool, workers, control: new Int32Array(list[0]!.memory.buffer, 0, 4) };
}

describe("the worker side (workerMessageHandler)", () => {
  it("answers a failed init, a run before init and an unknown message with typed error replies", async () => {
    const replies: FromWorker[] = [];
    const handle = workerMessageHandler((r) => replies.push(r));
    handle({ type: "run", id: 3, batch: 1 });
    handle({ type: "init", init: { memory: null } as unknown as WorkerInit, module: null });
    handle({ type: "nonsense" } as unknown as ToWorker);
    handle(null as unknown as ToWorker);
    await vi.waitFor(() => expect(replies).toHaveLength(4));
    expect(replies).toEqual([
      { type: "error", id: 3, message: "run before init", aborted: false },
      { type: "error", id: -1, message: expect.stringMatching(/^starting: /), aborted: false },
      { type: "error", id: -1, message: "unknown message type nonsense", aborted: false },
      { type: "error", id: -1, message: "unknown message type undefined", aborted: false },
    ]);
  });
  it("loads the float glue before answering ready, names the glue it uses, and holds runs sent meanwhile", async () => {
    for (const [backend, glue] of [
      ["wasm-i64", "wasm"],
      ["typescript", "typescript"],
    ] as const) {
      const replies: FromWorker[] = [];
      const handle = workerMessageHandler((r) => replies.push(r));
      const init = { ...inits(1)[0]!, backend } as WorkerInit;
      handle({ type: "init", init, module: null });
      handle({ type: "run", id: 1, batch: 2 });
      expect(replies).toEqual([]);
      await vi.waitFor(() => expect(replies).toHaveLength(2));
      expect(replies).toEqual([
        { type: "ready", floatGlue: glue },
        { type: "done", id: 1 },
      ]);
      // Once ready, runs are answered at once.
      handle({ type: "run", id: 2, batch: 1 });
      expect(replies[2]).toEqual({ type: "done", id: 2 });
    }
  });
});

describe("the pool side (WorkerPool)", () => {
  it("posts init (with the module) to each worker, then runs passes to completion", async () => {
    let passes = 0;
    const workers: ScriptedWorker[] = [];
    const pool = await WorkerPool.start(
      inits(3),
      (i, events) => (workers[i] = new ScriptedWorker(events, healthy)),
      { startTimeoutMs: 5_000, onPass: () => passes++, floatGlue: "AGFzbQ==" },
    );
    expect(pool.size).toBe(3);
    expect(pool.floatGlue).toEqual(["typescript", "typescript", "typescript"]);
    expect(workers.map((w) => w.received[0])).toEqual(
      [0, 1, 2].map((i) =>
        expect.objectContaining({
          type: "init",
          module: null,
          floatGlue: "AGFzbQ==",
          init: expect.objectContaining({ threadIndex: i }),
        }),
      ),
    );
    await pool.run(5);
    await pool.run(7);
    expect(passes).toBe(2);
    expect(workers[2]!.received.slice(1)).toEqual([
      { type: "run", id: 1, batch: 5 },
      { type: "run", id: 2, batch: 7 },
    ]);
    await expect(Promise.all([pool.run(1), pool.run(1)])).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await pool.close();
    expect(pool.alive).toBe(false);
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it("a worker that cannot start, fails its init or never answers rejects start with WORKER_FAILED", async () => {
    const refused = WorkerPool.start(
      inits(2),
      (i, events) => {
        if (i === 1) throw new Error("worker-src 'none'");
        return new ScriptedWorker(events, healthy);
      },
      { startTimeoutMs: 5_000 },
    );
    await expect(refused).rejects.toMatchObject({
      code: "WORKER_FAILED",
      message: "worker 1 could not start: worker-src 'none'",
    });
    await expect(
      startScripted(
        2,
        (i) => (m) =>
          i === 0 ? healthy(m) : { type: "error", id: -1, message: "starting: no memory", aborted: false },
      ),
    ).rejects.toMatchObject({
      code: "WORKER_FAILED",
      message: "worker 1 could not start: starting: no memory",
    });
    await expect(startScripted(2, () => () => undefined, { startTimeoutMs: 50 })).rejects.toMatchObject({
      code: "WORKER_FAILED",
      message: "worker threads did not start within 0.05 s",
    });
    let crashed: ScriptedWorker | undefined;
    const dying = WorkerPool.start(
      inits(1),
      (_, events) => {
        crashed = new ScriptedWorker(events, () => undefined);
        queueMicrotask(() => events.failed("crashed (SyntaxError: nope)"));
        return crashed;
      },
      { startTimeoutMs: 5_000 },
    );
    await expect(dying).rejects.toMatchObject({
      message: "worker 0 could not start: crashed (SyntaxError: nope)",
    });
    expect(crashed!.terminated).toBe(true);
  });

  it("a worker dying or throwing during a pass fails the pass and the pool; echoes of the abort are ignored", async () => {
    const { pool, workers } = await startScripted(2, (i) => (m) => {
      if (m.type === "init") return READY;
      return i === 0
        ? { type: "error", id: m.id, message: "ThreadsAborted: the pass was aborted", aborted: true }
        : undefined;
    });
    const pass = pool.run(4);
    workers[1]!.events.failed("exited unexpectedly (exit code 1)");
    await expect(pass).rejects.toMatchObject({
      code: "WORKER_FAILED",
      message: "worker 1 exited unexpectedly (exit code 1) during a pass",
    });
    expect(pool.alive).toBe(false);
    expect(workers.every((w) => w.terminated)).toBe(true);
    await expect(pool.run(1)).rejects.toMatchObject({ code: "WORKER_FAILED" });

    const threw = await startScripted(
      2,
      (i) => (m) =>
        m.type === "init" || i === 0
          ? healthy(m)
          : { type: "error", id: m.id, message: "RangeError: x", aborted: false },
    );
    await expect(threw.pool.run(2)).rejects.toMatchObject({
      message: "worker 1 threw while running a pass: RangeError: x",
    });
  });

  it("a failed pass settles only once the other workers left it (a new pool reuses the control block), or after the grace", async () => {
    // Worker 0 is slow to see the run; worker 1 dies. Until worker 0 answers, it may still run the pass.
    const { pool, workers, control } = await startScripted(
      2,
      () => (m) => (m.type === "init" ? READY : undefined),
    );
    let settled = false;
    const pass = pool.run(4).finally(() => {
      settled = true;
    });
    pass.catch(() => {});
    workers[1]!.events.failed("crashed (Uncaught boom)");
    expect(pool.alive).toBe(false);
    // The abort is raised at once, so that worker 0 stops at its next step or barrier.
    expect(control[2]).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toBe(false);
    expect(workers[0]!.terminated).toBe(false);
    // A reply to an older pass does not count; the aborted echo of this one does.
    workers[0]!.events.message({ type: "done", id: 0 });
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toBe(false);
    workers[0]!.events.message({
      type: "error",
      id: 1,
      message: "ThreadsAborted: the pass was aborted",
      aborted: true,
    });
    await expect(pass).rejects.toMatchObject({
      code: "WORKER_FAILED",
      message: "worker 1 crashed (Uncaught boom) during a pass",
    });
    expect(workers.every((w) => w.terminated)).toBe(true);

    // A worker that never answers: the pass still rejects, after the grace.
    const silent = await startScripted(2, () => (m) => (m.type === "init" ? READY : undefined), {
      abortGraceMs: 20,
    });
    const stuck = silent.pool.run(1);
    silent.workers[0]!.events.failed("exited unexpectedly (exit code 1)");
    await expect(stuck).rejects.toMatchObject({
      message: "worker 0 exited unexpectedly (exit code 1) during a pass",
    });
    expect(silent.workers.every((w) => w.terminated)).toBe(true);
  });

  it("a worker dying between passes is reported once; close during a pass rejects it with DISPOSED", async () => {
    const reported: unknown[] = [];
    const { pool, workers } = await startScripted(2, () => healthy, {
      onIdleFailure: (e) => reported.push(e),
    });
    await pool.run(1);
    workers[0]!.events.failed("exited unexpectedly (exit code 0)");
    workers[1]!.events.failed("exited unexpectedly (exit code 0)");
    expect(reported).toEqual([
      expect.objectContaining({
        code: "WORKER_FAILED",
        message: "worker 0 exited unexpectedly (exit code 0) between passes",
      }),
    ]);
    expect(pool.alive).toBe(false);

    const silent = await startScripted(2, () => (m) => (m.type === "init" ? READY : undefined), {
      onIdleFailure: (e) => reported.push(e),
    });
    const pass = silent.pool.run(3);
    await silent.pool.close();
    await expect(pass).rejects.toMatchObject({ code: "DISPOSED" });
    expect(reported).toHaveLength(1);
  });
});
