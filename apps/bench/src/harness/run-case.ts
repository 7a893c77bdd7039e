import { performance } from "node:perf_hooks";
import { type MeasureOptions, measureAsync, measureSync } from "./measure.js";
import { summarize } from "./stats.js";
import { type CaseResult, type CaseSpec, type PreparedCase, caseId } from "./types.js";

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === "object" && x !== null && typeof (x as { then?: unknown }).then === "function";
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function base(spec: CaseSpec): Omit<CaseResult, "status"> {
  return {
    id: caseId(spec),
    section: spec.section,
    group: spec.group,
    impl: spec.impl,
    label: spec.label,
    precision: spec.precision,
    threads: spec.threads,
    baseline: spec.baseline === true,
    ...(spec.work ? { work: spec.work } : {}),
    ...(spec.bytes !== undefined ? { bytes: spec.bytes } : {}),
  };
}

export function skippedResult(spec: CaseSpec, note: string): CaseResult {
  return { ...base(spec), status: "skipped", note };
}

/**
 * Sets a case up, runs it once and checks the answer; only a correct case is timed. A wrong answer is
 * reported as `wrong` with the checker's reason, a throw as `error`: neither gets a time.
 */
export async function runCase(
  spec: CaseSpec,
  options: MeasureOptions,
  /** An asynchronous step (setup, a run, the sampling loop) taking longer than this fails the case. */
  timeoutMs = 300_000,
): Promise<CaseResult> {
  let prepared: PreparedCase | undefined;
  let timedOut = false;
  const limit = <T>(what: string, p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`${what} did not finish within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      timer.unref();
    });
    return Promise.race([p, expiry]).finally(() => clearTimeout(timer));
  };
  try {
    prepared = await limit("setup", Promise.resolve(spec.setup()));
    const t0 = performance.now();
    const first = prepared.run();
    const isAsync = isThenable(first);
    const output = isAsync ? await limit("the first run", Promise.resolve(first)) : first;
    const firstRunMs = performance.now() - t0;
    const verdict = prepared.check(output);
    if (!verdict.ok) return { ...base(spec), status: "wrong", note: verdict.reason };
    const p = prepared;
    if (p.measure) {
      const own = await limit("timing", p.measure());
      const time = summarize(own.samples);
      return {
        ...base(spec),
        status: "ok",
        time,
        ...(own.cpuSamples ? { cpuTime: summarize(own.cpuSamples) } : {}),
        runsPerSample: own.runsPerSample,
        ...(spec.work ? { rate: spec.work.count / time.median } : {}),
      };
    }
    const m = isAsync
      ? await limit(
          "timing",
          measureAsync(() => p.run() as Promise<unknown>, options, firstRunMs),
        )
      : measureSync(() => p.run(), options, firstRunMs);
    const time = summarize(m.samples);
    return {
      ...base(spec),
      status: "ok",
      time,
      cpuTime: summarize(m.cpuSamples),
      runsPerSample: m.runsPerSample,
      ...(spec.work ? { rate: spec.work.count / time.median } : {}),
    };
  } catch (e) {
    return { ...base(spec), status: "error", note: errorText(e) };
  } finally {
    try {
      // A hung case may still own its resources; disposing could hang too, so it is left to exit.
      if (!timedOut) await prepared?.dispose?.();
    } catch {
      // A failing dispose must not hide the measurement; the process exits soon anyway.
    }
  }
}

/**
 * Fills the speedup and size-ratio columns: each group is compared with its baseline case (the one
 * marked `baseline` that ran correctly; failing that, the first correct single-thread float32 case,
 * which then carries the baseline mark). Groups without either get no ratios.
 */
export function compareWithBaselines(results: readonly CaseResult[]): CaseResult[] {
  const baselines = new Map<string, CaseResult>();
  const key = (r: CaseResult) => `${r.section}/${r.group}`;
  for (const r of results) {
    if (r.baseline && r.status === "ok" && !baselines.has(key(r))) baselines.set(key(r), r);
  }
  for (const r of results) {
    if (!baselines.has(key(r)) && r.status === "ok" && r.precision === "float32" && r.threads === 1) {
      baselines.set(key(r), r);
    }
  }
  return results.map((r) => {
    const b = baselines.get(key(r));
    if (!b) return r;
    const speedup = r.status === "ok" && r.time && b.time ? b.time.median / r.time.median : undefined;
    // CPU time sums a process's threads, so the CPU ratio only compares single-threaded cases.
    const cpuSpeedup =
      r.status === "ok" && r.cpuTime && b.cpuTime && r.threads === 1 && b.threads === 1
        ? b.cpuTime.median / r.cpuTime.median
        : undefined;
    const sizeRatio =
      r.bytes !== undefined && b.bytes !== undefined && r.bytes > 0 ? b.bytes / r.bytes : undefined;
    return {
      ...r,
      baseline: r === b,
      ...(speedup !== undefined ? { speedup } : {}),
      ...(cpuSpeedup !== undefined ? { cpuSpeedup } : {}),
      ...(sizeRatio !== undefined ? { sizeRatio } : {}),
    };
  });
}
