import { readFileSync } from "node:fs";
import { Engine } from "@onebit/runtime";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LaunchedBrowser,
  SKIP_MESSAGE,
  chromiumPath,
  launchChromium,
} from "../../../scripts/test-support/chromium.js";
import { pageBundle } from "./browser/page-bundle.js";
import { type Files, ISOLATION_HEADERS, type StaticServer, serveFiles } from "./browser/static-server.js";
import { Rng, convModel, mlpModel } from "./test-models.js";

// The package in headless Chromium, bundled with code splitting as users' bundlers do (the worker
// code is a chunk loaded when workers start): threads over Web Workers when the page is cross-origin
// isolated, one thread otherwise, the same numbers as Node.js either way, and no eval anywhere
// (the pages run under a Content-Security-Policy that forbids it).

if (!chromiumPath) console.warn(SKIP_MESSAGE);

const models = { mlp: mlpModel(), conv: convModel() };
/** A shipped version 2 residual graph: float stem, BatchNorm → add → sign chains, PReLU, float head. */
const residual = readFileSync(new URL("../../../models/fmnist-bireal.onebit", import.meta.url));
const BATCH = 48;
/**
 * How long a page waits for a run that should settle (a failed pass waits up to the pool's 5 s
 * abort grace; the next run starts new workers, 15 s at most): far more than either on a loaded machine.
 */
const RUN_BOUND_MS = 45_000;
const input = new Rng(7).bytes(BATCH * 784);

/** What a page reports for one session. */
interface PageRun {
  logits: number[];
  predictions: number[];
  info: {
    threads: number;
    requestedThreads: number;
    crossOriginIsolated: boolean;
    reason: string;
    threadedRuns: number;
    workerFloatGlue?: readonly string[];
    floatGlue: { kernels: string; reason: string };
  };
}

async function pageFiles(): Promise<Files> {
  const files = await pageBundle();
  files.set("/mlp.onebit", { body: models.mlp, type: "application/octet-stream" });
  files.set("/conv.onebit", { body: models.conv, type: "application/octet-stream" });
  files.set("/residual.onebit", { body: residual, type: "application/octet-stream" });
  return files;
}

/** No inline scripts, no eval; WebAssembly allowed; workers only from the page or blob: URLs. */
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:";

declare global {
  interface Window {
    onebit: typeof import("../src/index.js");
  }
}

async function runInPage(
  page: Page,
  model: string,
  options: Record<string, unknown>,
  batch = BATCH,
): Promise<PageRun> {
  return page.evaluate(
    async ({ model, options, bytes, batch }) => {
      const session = await window.onebit.InferenceSession.create(model, options);
      const result = await session.run(Uint8Array.from(bytes), { shape: [batch, 28, 28, 1] });
      const info = session.getBackendInfo();
      await session.dispose();
      return { logits: Array.from(result.logits), predictions: Array.from(result.predictions!), info };
    },
    { model, options, bytes: Array.from(input.subarray(0, batch * 784)), batch },
  );
}

async function openPage(launched: LaunchedBrowser, server: StaticServer): Promise<Page> {
  const page = await launched.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // Generous: CI loads this page while every package tests on 2 cores (30 s, the default, ran out once).
  await page.goto(`${server.url}/`, { timeout: 120_000 });
  await page
    .waitForFunction(() => document.title === "ready", undefined, { timeout: 60_000 })
    .catch(() => {
      throw new Error(`the test page did not load: ${errors.join("; ") || "no page error"}`);
    });
  return page;
}

describe.skipIf(!chromiumPath)("runtime-web in headless Chromium", () => {
  let launched: LaunchedBrowser;
  let isolated: StaticServer;
  let plain: StaticServer;
  let noWorkers: StaticServer;
  const expected = new Map<string, number[]>();

  beforeAll(async () => {
    const files = await pageFiles();
    [launched, isolated, plain, noWorkers] = await Promise.all([
      launchChromium(),
      serveFiles(files, { ...ISOLATION_HEADERS, "Content-Security-Policy": STRICT_CSP }),
      serveFiles(files, { "Content-Security-Policy": STRICT_CSP }),
      // Isolated, but a policy that forbids every worker: sessions must still run, on one thread.
      serveFiles(files, {
        ...ISOLATION_HEADERS,
        "Content-Security-Policy": `${STRICT_CSP.replace(" blob:", "")}; worker-src 'none'`,
      }),
    ]);
    for (const [name, bytes] of Object.entries(models)) {
      const engine = Engine.createSync(bytes);
      expected.set(name, Array.from(engine.runSync(input, { shape: [BATCH, 28, 28, 1] }).logits));
    }
  });

  afterAll(async () => {
    await Promise.all([launched?.close(), isolated?.close(), plain?.close(), noWorkers?.close()]);
  });

  it("on a cross-origin isolated page, runs on Web Workers and matches Node.js bit for bit", async () => {
    const page = await openPage(launched, isolated);
    const env = await page.evaluate(() => window.onebit.getBackendInfo());
    expect(env).toMatchObject({
      crossOriginIsolated: true,
      sharedMemory: true,
      workers: true,
    });
    // Threads by default need a second core; an explicit `threads` works regardless.
    expect(env.available).toBe(env.hardwareConcurrency >= 2);
    for (const name of ["mlp", "conv"]) {
      const threaded = await runInPage(page, `/${name}.onebit`, { threads: 2, parallelThresholdNs: 0 });
      expect(threaded.info).toMatchObject({ threads: 2, requestedThreads: 2, crossOriginIsolated: true });
      expect(threaded.info.threadedRuns).toBeGreaterThan(0);
      expect(threaded.logits).toEqual(expected.get(name));
      const single = await runInPage(page, `/${name}.onebit`, { threads: 1 });
      expect(single.info).toMatchObject({ threads: 1, threadedRuns: 0 });
      expect(single.logits).toEqual(expected.get(name));
    }
    // Every kernel backend in the workers: the SIMD and TypeScript ones too.
    for (const backend of ["wasm-simd", "typescript"]) {
      const run = await runInPage(page, "/conv.onebit", { threads: 2, backend, parallelThresholdNs: 0 });
      expect(run.info.threadedRuns, backend).toBeGreaterThan(0);
      expect(run.logits, backend).toEqual(expected.get("conv"));
    }
    // By default a large batch goes to the workers (as many as the cores allow, up to 4).
    const byDefault = await runInPage(page, "/mlp.onebit", {});
    expect(byDefault.info.threads).toBe(Math.min(4, env.hardwareConcurrency));
    if (byDefault.info.threads > 1) expect(byDefault.info.threadedRuns).toBeGreaterThan(0);
    expect(byDefault.logits).toEqual(expected.get("mlp"));
    await page.close();
  });

  it("the page and its workers run a residual graph's float steps on the WebAssembly glue, bit for bit", async () => {
    const page = await openPage(launched, isolated);
    const batch = 3;
    const want = Array.from(
      Engine.createSync(residual).runSync(input.subarray(0, batch * 784), { shape: [batch, 28, 28, 1] })
        .logits,
    );
    for (const backend of ["wasm-i64", "wasm-simd"]) {
      const threaded = await runInPage(
        page,
        "/residual.onebit",
        { threads: 2, backend, parallelThresholdNs: 0 },
        batch,
      );
      expect(threaded.info.threadedRuns, backend).toBeGreaterThan(0);
      expect(threaded.info.workerFloatGlue, backend).toEqual(["wasm", "wasm"]);
      // The page's thread too (over the shared memory): its glue is compiled asynchronously, as the
      // main thread requires of modules over 4 KB, so it never falls back to TypeScript silently.
      expect(threaded.info.floatGlue, backend).toMatchObject({ kernels: "wasm" });
      expect(threaded.logits, backend).toEqual(want);
      const single = await runInPage(page, "/residual.onebit", { threads: 1, backend }, batch);
      expect(single.info.workerFloatGlue, backend).toBeUndefined();
      expect(single.info.floatGlue, backend).toMatchObject({ kernels: "wasm" });
      expect(single.logits, backend).toEqual(want);
    }
    await page.close();
  });

  it("a session survives several threaded runs, in order, and stops its workers on dispose", async () => {
    const page = await openPage(launched, isolated);
    const out = await page.evaluate(async (bytes) => {
      const session = await window.onebit.InferenceSession.create("/conv.onebit", {
        threads: 2,
        parallelThresholdNs: 0,
      });
      const x = Uint8Array.from(bytes);
      const runs = await Promise.all([1, 2, 3].map((k) => session.run(x.subarray(0, k * 784 * 4))));
      const threadedRuns = session.getBackendInfo().threadedRuns;
      await session.dispose();
      const afterDispose = await session.run(x.subarray(0, 784)).then(
        () => "resolved",
        (e: { code?: string }) => e.code,
      );
      return {
        batches: runs.map((r) => r.batch),
        first: Array.from(runs[2]!.logits),
        threadedRuns,
        afterDispose,
      };
    }, Array.from(input));
    expect(out.batches).toEqual([4, 8, 12]);
    expect(out.first).toEqual(expected.get("conv")!.slice(0, 12 * 10));
    expect(out.threadedRuns).toBe(3);
    expect(out.afterDispose).toBe("DISPOSED");
    await page.close();
  });

  it("replaces a pool whose worker failed, and the next run is still right", async () => {
    const page = await openPage(launched, isolated);
    const out = await page.evaluate(async (bytes) => {
      // Keep hold of the workers the session starts, to break one of them.
      const started: Worker[] = [];
      const NativeWorker = window.Worker;
      window.Worker = class extends NativeWorker {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          started.push(this);
        }
      };
      const session = await window.onebit.InferenceSession.create("/mlp.onebit", {
        threads: 2,
        parallelThresholdNs: 0,
      });
      const x = Uint8Array.from(bytes);
      const before = Array.from((await session.run(x)).logits);
      // A malformed init makes worker 1 report an error: its pool closes between passes.
      // Its error reply reaches the pool's handler first (set earlier), then this listener.
      const replied = new Promise((resolve) =>
        started[1]!.addEventListener("message", resolve, { once: true }),
      );
      started[1]!.postMessage({ type: "init", init: null, module: null });
      await replied;
      const after = Array.from((await session.run(x)).logits);
      const info = session.getBackendInfo();
      await session.dispose();
      window.Worker = NativeWorker;
      return { before, after, workersStarted: started.length, threadedRuns: info.threadedRuns };
    }, Array.from(input));
    expect(out.before).toEqual(expected.get("mlp"));
    expect(out.after).toEqual(expected.get("mlp"));
    expect(out.workersStarted).toBe(4);
    expect(out.threadedRuns).toBe(2);
    await page.close();
  });

  // The recovery run once hung for ever on a loaded machine: the surviving worker of the failed pool,
  // which Worker.terminate() does not stop at once, ran the pass late, after the new pool had cleared
  // the abort flag, and met the new workers at their barrier. The pool now rejects a failed pass only
  // once its workers left it. Each run is bounded here, so a regression fails naming the run.
  it("a worker crashing during a pass rejects that run with WORKER_FAILED naming it; the next run recovers", async () => {
    const page = await openPage(launched, isolated);
    const out = await page.evaluate(
      async ({ bytes, ms }) => {
        const started: Worker[] = [];
        const NativeWorker = window.Worker;
        window.Worker = class extends NativeWorker {
          constructor(url: string | URL, options?: WorkerOptions) {
            super(url, options);
            started.push(this);
          }
        };
        const session = await window.onebit.InferenceSession.create("/mlp.onebit", {
          threads: 2,
          parallelThresholdNs: Number.NEGATIVE_INFINITY,
        });
        window.Worker = NativeWorker;
        // Worker 0 "crashes" on its next pass: the run message never reaches it and the error event a
        // throwing worker script fires arrives instead (worker 1 then waits at the barrier until aborted).
        const victim = started[0]!;
        const post = victim.postMessage.bind(victim);
        victim.postMessage = (message: { type: string }) => {
          if (message.type !== "run") return post(message);
          setTimeout(() => victim.dispatchEvent(new ErrorEvent("error", { message: "Uncaught boom" })));
        };
        const x = Uint8Array.from(bytes);
        const bounded = <T>(what: string, p: Promise<T>) =>
          Promise.race([
            p,
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error(`${what} did not settle within ${ms / 1000} s`)), ms),
            ),
          ]);
        const failed = await bounded("the run with the crash", session.run(x)).then(
          () => undefined,
          (e: { name: string; code: string; message: string }) => ({
            name: e.name,
            code: e.code,
            message: e.message,
          }),
        );
        const after = Array.from((await bounded("the next run", session.run(x))).logits);
        await session.dispose();
        return { failed, after, workersStarted: started.length };
      },
      { bytes: Array.from(input), ms: RUN_BOUND_MS },
    );
    expect(out.failed).toEqual({
      name: "RuntimeError",
      code: "WORKER_FAILED",
      message: "worker 0 crashed (Uncaught boom) during a pass",
    });
    expect(out.after).toEqual(expected.get("mlp"));
    expect(out.workersStarted).toBe(2);
    await page.close();
  }, 180_000);

  it("without COOP/COEP, runs on one thread and says why", async () => {
    const page = await openPage(launched, plain);
    const env = await page.evaluate(() => window.onebit.getBackendInfo());
    expect(env).toMatchObject({ crossOriginIsolated: false, available: false, defaultThreads: 1 });
    expect(env.reason).toMatch(/cross-origin isolated/);
    const run = await runInPage(page, "/mlp.onebit", { threads: 4 });
    expect(run.info).toMatchObject({
      threads: 1,
      requestedThreads: 4,
      crossOriginIsolated: false,
      threadedRuns: 0,
    });
    expect(run.info.reason).toMatch(/COOP/);
    expect(run.logits).toEqual(expected.get("mlp"));
    await page.close();
  });

  it("falls back to one thread when the page's policy forbids workers", async () => {
    const page = await openPage(launched, noWorkers);
    const run = await runInPage(page, "/conv.onebit", { threads: 2 });
    expect(run.info).toMatchObject({ threads: 1, requestedThreads: 2, crossOriginIsolated: true });
    expect(run.info.reason).toMatch(/worker/i);
    expect(run.logits).toEqual(expected.get("conv"));
    await page.close();
  });

  it("rejects a missing or corrupt model with a RuntimeError code", async () => {
    const page = await openPage(launched, isolated);
    const codes = await page.evaluate(async () => {
      const code = (p: Promise<unknown>) =>
        p.then(
          () => "resolved",
          (e: { name: string; code: string }) => `${e.name} ${e.code}`,
        );
      const bytes = new Uint8Array(await (await fetch("/mlp.onebit")).arrayBuffer());
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
      return {
        missing: await code(window.onebit.InferenceSession.create("/missing.onebit")),
        corrupt: await code(window.onebit.InferenceSession.create(bytes)),
        response: await code(window.onebit.InferenceSession.create(fetch("/conv.onebit"))),
      };
    });
    expect(codes).toEqual({
      missing: "RuntimeError IO_ERROR",
      corrupt: "RuntimeError INVALID_MODEL",
      response: "resolved",
    });
    await page.close();
  });
});
