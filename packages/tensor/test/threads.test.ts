import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { getBackendInfo, setBackend } from "../src/backend.js";
import { conv2d, conv2dBackward } from "../src/conv2d.js";
import type { Conv2dParams } from "../src/conv2d-params.js";
import { TensorError } from "../src/errors.js";
import { gemm } from "../src/gemm.js";
import type { GemmOptions } from "../src/gemm-options.js";
import { THREAD_MIN_MACS, splitGemm } from "../src/gemm-split.js";
import { GemmThreadPool } from "../src/gemm-thread-pool.js";
import { disableThreads, enableThreads } from "../src/node.js";
import { registerNativeGemm } from "../src/native-gemm.js";
import { installThreadedKernel } from "../src/threads-hook.js";
import { randomArray } from "./helpers.js";

// These tests exercise the WebAssembly thread pool, which the native GEMM (registered by the node
// entry where @onebit/native loads) would otherwise take over; native-gemm.test.ts covers that path.
registerNativeGemm({ error: "off in the thread-pool tests" });

afterEach(async () => {
  setBackend("auto");
  await disableThreads();
});

/** Installs a pool that splits even tiny products, so random small shapes exercise the split. */
function installEagerPool(threads: number, minTimeoutMs?: number): GemmThreadPool {
  const pool = new GemmThreadPool(threads, { minMacs: 0, minTimeoutMs });
  installThreadedKernel(pool);
  return pool;
}

/** Runs gemm on one thread and then on the installed pool; returns both results. */
function bothWays(
  m: number,
  n: number,
  k: number,
  options: GemmOptions,
  seed: number,
  pool: GemmThreadPool,
): [Float32Array, Float32Array] {
  const a = randomArray(m * k, seed);
  const b = randomArray(k * n, seed + 1);
  const single = randomArray(m * n, seed + 2);
  const threaded = single.slice();
  installThreadedKernel(null);
  gemm(a, b, single, m, n, k, options);
  installThreadedKernel(pool);
  gemm(a, b, threaded, m, n, k, options);
  return [single, threaded];
}

/** Bit-for-bit equality (Object.is per element, so −0 and +0 differ too). */
function expectIdentical(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new Error(`element ${i}: threaded ${actual[i]} ≠ single-threaded ${expected[i]}`);
    }
  }
}

describe("splitGemm", () => {
  it("covers C exactly once, on tile boundaries, with near-equal shares", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 8 }),
        (m, n, threads) => {
          const blocks = splitGemm(m, n, 1, threads, 0);
          expect(blocks.length === 1 || blocks.length === threads).toBe(true);
          const hits = new Uint8Array(m * n);
          for (const { i0, i1, j0, j1 } of blocks) {
            if (i0 !== 0) expect(i0 % 2).toBe(0);
            if (j0 !== 0) expect(j0 % 16).toBe(0);
            for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) hits[i * n + j]!++;
          }
          expect(hits.every((h) => h === 1)).toBe(true);
          const sizes = blocks.map((b) => (b.i1 - b.i0) * (b.j1 - b.j0));
          // Shares differ by at most one tile row or column panel.
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(16 * Math.max(m, n));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps small and narrow products whole", () => {
    expect(splitGemm(16, 16, 16, 2)).toHaveLength(1); // under THREAD_MIN_MACS
    expect(splitGemm(2, 16, THREAD_MIN_MACS, 2)).toHaveLength(1); // one tile column, two rows
    expect(splitGemm(100, 1024, 784, 2)).toHaveLength(2);
    expect(splitGemm(100, 1024, 784, 1)).toHaveLength(1);
  });
});

describe("threaded gemm", () => {
  it("equals single-threaded gemm bit for bit on random shapes, transposes, alpha and beta", () => {
    const pool = installEagerPool(3);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(1, -0.75, 0),
        fc.constantFrom(0, 1, 0.5),
        fc.integer({ min: 1, max: 1e6 }),
        (m, n, k, transA, transB, alpha, beta, seed) => {
          const [single, threaded] = bothWays(m, n, k, { transA, transB, alpha, beta }, seed, pool);
          expectIdentical(threaded, single);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("equals single-threaded gemm at the MLP's training shapes and across cache blocks", () => {
    const pool = installEagerPool(2);
    const shapes: [number, number, number, GemmOptions][] = [
      [100, 1024, 784, {}],
      [100, 784, 1024, { transB: true }],
      [1024, 1024, 100, { transA: true, beta: 1 }],
      [1, 4096, 300, { transB: true }],
      [3, 1100, 1030, { transA: true, transB: true, alpha: 0.5 }],
      [260, 33, 517, { transA: true }],
    ];
    shapes.forEach(([m, n, k, options], s) => {
      const [single, threaded] = bothWays(m, n, k, options, 100 + s, pool);
      expectIdentical(threaded, single);
    });
  });

  it("applies to conv2d and conv2dBackward with identical results", () => {
    const p: Conv2dParams = {
      batch: 3,
      inH: 11,
      inW: 9,
      inC: 5,
      outC: 20,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 2,
      padding: "same",
      padValue: -1,
    };
    const input = randomArray(p.batch * p.inH * p.inW * p.inC, 1);
    const weights = randomArray(3 * 3 * p.inC * p.outC, 2);
    const single = conv2d(input, weights, p);
    const gradOut = randomArray(single.length, 3);
    const singleGrads = conv2dBackward(input, weights, gradOut, p);
    installEagerPool(2);
    expectIdentical(conv2d(input, weights, p), single);
    const grads = conv2dBackward(input, weights, gradOut, p);
    expectIdentical(grads.gradInput, singleGrads.gradInput);
    expectIdentical(grads.gradWeights, singleGrads.gradWeights);
  });
});

describe("enableThreads / disableThreads", () => {
  it("reports the thread count and survives enable/disable cycles", async () => {
    const a = randomArray(128 * 256, 1);
    const b = randomArray(256 * 512, 2);
    const expected = new Float32Array(128 * 512);
    gemm(a, b, expected, 128, 512, 256);
    expect(getBackendInfo().threads).toBe(1);
    for (let cycle = 0; cycle < 4; cycle++) {
      expect(enableThreads(2)).toBe(2);
      expect(getBackendInfo().threads).toBe(2);
      const c = new Float32Array(128 * 512);
      gemm(a, b, c, 128, 512, 256);
      expectIdentical(c, expected);
      if (cycle % 2 === 0) await disableThreads();
      else void disableThreads(); // not awaiting must be just as safe
      expect(getBackendInfo().threads).toBe(1);
    }
    expect(enableThreads(1)).toBe(1);
    expect(getBackendInfo().threads).toBe(1);
    enableThreads(2);
    setBackend("typescript");
    expect(getBackendInfo().threads).toBe(1); // the TypeScript path never uses the workers
  });

  it("rejects a bad thread count", () => {
    expect(() => enableThreads(0)).toThrow(TensorError);
    expect(() => enableThreads(1.5)).toThrow(/count must be a positive integer, got 1.5/);
  });

  it("falls back to one thread, with the right result, when a worker dies", async () => {
    const pool = installEagerPool(2, 200);
    const a = randomArray(64 * 300, 5);
    const b = randomArray(300 * 200, 6);
    const expected = new Float32Array(64 * 200);
    const c = new Float32Array(64 * 200);
    gemm(a, b, c, 64, 200, 300); // threaded, worker alive
    // Kill the worker without letting the event loop run: the next call finds it gone or going.
    void pool.workers[0]!.terminate();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      gemm(a, b, c, 64, 200, 300);
      installThreadedKernel(null);
      gemm(a, b, expected, 64, 200, 300);
      expectIdentical(c, expected);
      // The pool learns of the death from the worker's exit event; wait for it rather than a fixed time.
      while (!pool.failed() || warnings.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(pool.failed()).toBe(true);
      expect(getBackendInfo().threads).toBe(1);
      expect(warnings.join()).toMatch(/gemm worker 1/);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("does not keep the process alive", () => {
    const require = createRequire(import.meta.url);
    const tsx = require.resolve("tsx");
    const script = fileURLToPath(new URL("./fixtures/exit-with-threads.ts", import.meta.url));
    const child = spawnSync(process.execPath, ["--import", tsx, script], {
      encoding: "utf8",
      timeout: 100_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ threads: 2, first: 128, last: 128 });
  });
});
