import { describe, expect, it } from "vitest";
import type { MeasureOptions } from "../src/harness/measure.js";
import { compareWithBaselines, runCase } from "../src/harness/run-case.js";
import type { CaseResult, CaseSpec } from "../src/harness/types.js";
import { checkExact, checkFloatProduct, samplePositions } from "../src/sections/checks.js";

const FAST: MeasureOptions = {
  warmupMs: 0,
  settleCapMs: 0,
  targetMs: 2,
  minSamples: 3,
  maxSamples: 10,
  capMs: 50,
  minSampleMs: 0.05,
};

function spec<T>(over: Partial<CaseSpec<T>> & Pick<CaseSpec<T>, "setup">): CaseSpec {
  return {
    section: "test",
    group: "g",
    impl: "impl",
    label: "impl",
    precision: "float32",
    threads: 1,
    ...over,
  } as CaseSpec;
}

/** C = A·B for row-major A (m×k) and B (k×n); `dropLastK` leaves out the tail, a classic kernel bug. */
function matmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  dropLastK = false,
): Float32Array {
  const c = new Float32Array(m * n);
  const kk = dropLastK ? k - 1 : k;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) for (let p = 0; p < kk; p++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}

describe("the correctness gate", () => {
  it("reports a wrong kernel as wrong and never times it (it runs exactly once)", async () => {
    let runs = 0;
    const r = await runCase(
      spec({
        setup: () => ({
          run: () => {
            runs++;
            return 41;
          },
          check: (out: number) =>
            out === 42 ? { ok: true } : { ok: false, reason: `got ${out}, expected 42` },
        }),
      }),
      FAST,
    );
    expect(r.status).toBe("wrong");
    expect(r.note).toBe("got 41, expected 42");
    expect(r.time).toBeUndefined();
    expect(r.rate).toBeUndefined();
    expect(runs).toBe(1);
  });

  it("times a correct kernel: several samples, ordered quantiles, a rate from its work", async () => {
    let runs = 0;
    let disposed = false;
    const r = await runCase(
      spec({
        work: { count: 1000, unit: "FLOP" },
        setup: () => ({
          run: () => {
            runs++;
            return 42;
          },
          check: (out: number) => (out === 42 ? { ok: true } : { ok: false, reason: "no" }),
          dispose: () => {
            disposed = true;
          },
        }),
      }),
      FAST,
    );
    expect(r.status).toBe("ok");
    expect(r.time!.n).toBeGreaterThanOrEqual(3);
    expect(r.time!.p25).toBeLessThanOrEqual(r.time!.p75);
    expect(r.rate).toBeCloseTo(1000 / r.time!.median, 6);
    expect(runs).toBeGreaterThan(3);
    expect(disposed).toBe(true);
  });

  it("gates asynchronous kernels the same way", async () => {
    let runs = 0;
    const wrong = await runCase(
      spec({
        setup: async () => ({
          run: async () => {
            runs++;
            return [1, 2, 4];
          },
          check: (out: number[]) => checkExact(out, 1, 3, (_, c) => c + 1, "async kernel"),
        }),
      }),
      FAST,
    );
    expect(wrong.status).toBe("wrong");
    expect(wrong.note).toMatch(/async kernel: C\[0\]\[2\] = 4, expected 3/);
    expect(runs).toBe(1);
  });

  it("takes a self-timed case's samples, and its CPU time only when it reports one", async () => {
    const selfTimed = (cpuSamples?: number[]) =>
      runCase(
        spec({
          setup: () => ({
            run: () => 42,
            check: (out: number) => (out === 42 ? { ok: true } : { ok: false, reason: "wrong" }),
            measure: async () => ({
              samples: [3, 1, 2],
              runsPerSample: 4,
              ...(cpuSamples ? { cpuSamples } : {}),
            }),
          }),
        }),
        FAST,
      );
    const withCpu = await selfTimed([0.5, 0.25, 0.75]);
    expect(withCpu.status).toBe("ok");
    expect(withCpu.time?.median).toBe(2);
    expect(withCpu.runsPerSample).toBe(4);
    expect(withCpu.cpuTime?.median).toBe(0.5);
    const withoutCpu = await selfTimed();
    expect(withoutCpu.time?.median).toBe(2);
    expect(withoutCpu.cpuTime).toBeUndefined();
  });

  it("reports a kernel or a setup that throws as an error, untimed", async () => {
    const throwsInRun = await runCase(
      spec({
        setup: () => ({
          run: () => {
            throw new RangeError("bad shape");
          },
          check: () => ({ ok: true }),
        }),
      }),
      FAST,
    );
    expect(throwsInRun).toMatchObject({ status: "error", note: "RangeError: bad shape" });
    expect(throwsInRun.time).toBeUndefined();
    const throwsInSetup = await runCase(
      spec({
        setup: () => {
          throw new Error("no backend");
        },
      }),
      FAST,
    );
    expect(throwsInSetup).toMatchObject({ status: "error", note: "Error: no backend" });
  });

  it("catches a GEMM that drops the last k term, and passes the right one", async () => {
    const m = 5;
    const n = 7;
    const k = 37;
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i) + 0.5);
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7) + 0.5);
    const gemmCase = (dropLastK: boolean) =>
      spec({
        impl: dropLastK ? "buggy" : "right",
        setup: () => ({
          run: () => matmul(a, b, m, n, k, dropLastK),
          check: (c: Float32Array) => checkFloatProduct(c, a, (p, j) => b[p * n + j]!, m, n, k, "gemm"),
        }),
      });
    const buggy = await runCase(gemmCase(true), FAST);
    expect(buggy.status).toBe("wrong");
    expect(buggy.note).toMatch(/^gemm: C\[\d+\]\[\d+\] = .*, expected /);
    expect((await runCase(gemmCase(false), FAST)).status).toBe("ok");
  });

  it("rejects outputs of the wrong length or with non-finite values", () => {
    const a = new Float32Array(4).fill(1);
    expect(checkFloatProduct(new Float32Array(3), a, () => 1, 2, 2, 2, "g")).toEqual({
      ok: false,
      reason: "g: output has 3 values, expected 4",
    });
    expect(checkFloatProduct(Float32Array.of(2, 2, Number.NaN, 2), a, () => 1, 2, 2, 2, "g")).toEqual({
      ok: false,
      reason: "g: output[2] is NaN",
    });
  });

  it("samples the four corners and stays inside the matrix", () => {
    const picks = samplePositions(3, 5);
    expect(picks.slice(0, 4)).toEqual([
      [0, 0],
      [0, 4],
      [2, 0],
      [2, 4],
    ]);
    for (const [r, c] of picks) {
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(3);
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThan(5);
    }
    expect(samplePositions(1, 1).every(([r, c]) => r === 0 && c === 0)).toBe(true);
  });
});

describe("speedup and size-ratio columns", () => {
  const result = (impl: string, median: number, over: Partial<CaseResult> = {}): CaseResult => ({
    id: `s/g/${impl}`,
    section: "s",
    group: "g",
    impl,
    label: impl,
    precision: "float32",
    threads: 1,
    baseline: false,
    status: "ok",
    time: { n: 3, min: median, max: median, mean: median, median, p25: median, p75: median, mad: 0 },
    ...over,
  });

  it("divides the baseline's median and bytes by each case's", () => {
    const out = compareWithBaselines([
      result("base", 0.01, { baseline: true, bytes: 3200 }),
      result("bin", 0.001, { precision: "binary", bytes: 100 }),
      result("bad", 0.001, { status: "wrong", time: undefined }),
    ]);
    expect(out[0]).toMatchObject({ speedup: 1, sizeRatio: 1, baseline: true });
    expect(out[1]!.speedup).toBeCloseTo(10, 12);
    expect(out[1]!.sizeRatio).toBe(32);
    expect(out[2]!.speedup).toBeUndefined();
  });

  it("falls back to the first correct single-thread float32 case when the baseline failed", () => {
    const out = compareWithBaselines([
      result("base", 0.01, { baseline: true, status: "error", time: undefined }),
      result("two-threads", 0.004, { threads: 2 }),
      result("float", 0.02),
      result("bin", 0.002, { precision: "binary" }),
    ]);
    expect(out.map((r) => r.baseline)).toEqual([false, false, true, false]);
    expect(out[3]!.speedup).toBeCloseTo(10, 12);
  });

  it("CPU-time speedups compare single-threaded cases only", () => {
    const cpu = (median: number) => ({
      n: 3,
      min: median,
      max: median,
      mean: median,
      median,
      p25: median,
      p75: median,
      mad: 0,
    });
    const out = compareWithBaselines([
      result("base", 0.02, { baseline: true, cpuTime: cpu(0.01) }),
      result("bin", 0.001, { precision: "binary", cpuTime: cpu(0.001) }),
      result("two", 0.01, { threads: 2, cpuTime: cpu(0.02) }),
    ]);
    expect(out[1]!.speedup).toBeCloseTo(20, 12);
    expect(out[1]!.cpuSpeedup).toBeCloseTo(10, 12);
    expect(out[2]!.speedup).toBeCloseTo(2, 12);
    expect(out[2]!.cpuSpeedup).toBeUndefined();
  });

  it("leaves groups without any usable baseline unrated", () => {
    const out = compareWithBaselines([result("bin", 0.002, { precision: "binary" })]);
    expect(out[0]!.speedup).toBeUndefined();
  });
});

describe("a case that hangs", () => {
  it("is reported as an error after the timeout, untimed", async () => {
    const r = await runCase(
      spec({
        setup: () => ({
          run: () => new Promise<number>(() => {}),
          check: () => ({ ok: true }),
        }),
      }),
      FAST,
      50,
    );
    expect(r.status).toBe("error");
    expect(r.note).toBe("Error: the first run did not finish within 0.05 s");
    expect(r.time).toBeUndefined();
  });
});
