import { performance } from "node:perf_hooks";

/** How long and how often to time one case. All durations in milliseconds. */
export interface MeasureOptions {
  /** Keep running (untimed) for this long before sampling, so the JIT and caches settle... */
  readonly warmupMs: number;
  /**
   * ...and then on, in blocks of a quarter of `warmupMs`, until two blocks in a row agree within 10 %
   * per run, or this much time in all has gone into warming up. V8 can still be tiering a kernel up
   * after a short warm-up (more so on a loaded machine): its first timed samples were then 2–4× slow.
   */
  readonly settleCapMs: number;
  /** Sampling stops once this much time is spent and `minSamples` are taken... */
  readonly targetMs: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  /** ...or, for slow cases, once this much time is spent and at least 3 samples are taken. */
  readonly capMs: number;
  /** Fast runs are batched so that one timed sample lasts at least this long (timer resolution). */
  readonly minSampleMs: number;
}

export const QUICK_MEASURE: MeasureOptions = {
  warmupMs: 40,
  settleCapMs: 400,
  targetMs: 150,
  minSamples: 5,
  maxSamples: 200,
  capMs: 1500,
  minSampleMs: 1,
};

export const FULL_MEASURE: MeasureOptions = {
  warmupMs: 300,
  settleCapMs: 3000,
  targetMs: 1500,
  minSamples: 15,
  maxSamples: 2000,
  capMs: 20_000,
  minSampleMs: 2,
};

export interface Measurement {
  /** Seconds per run, one entry per sample. */
  readonly samples: number[];
  /** Process CPU seconds (user + system, all threads) per run, one entry per sample. */
  readonly cpuSamples: number[];
  readonly runsPerSample: number;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

// Outputs are kept here so the optimizer cannot prove a run's result unused.
let sink: unknown;
export function lastSink(): unknown {
  return sink;
}

function enough(samples: number, elapsedMs: number, o: MeasureOptions): boolean {
  if (samples >= o.maxSamples) return true;
  if (samples >= o.minSamples && elapsedMs >= o.targetMs) return true;
  return samples >= 3 && elapsedMs >= o.capMs;
}

function runsFor(oneRunMs: number, o: MeasureOptions): number {
  if (oneRunMs >= o.minSampleMs) return 1;
  return Math.min(100_000, Math.ceil(o.minSampleMs / Math.max(oneRunMs, 1e-5)));
}

/** Block lengths (time per run, ms) so far: whether the last two agree within 10 %. */
export function settled(perRunMs: readonly number[]): boolean {
  if (perRunMs.length < 2) return false;
  const [a, b] = [perRunMs.at(-2)!, perRunMs.at(-1)!];
  return Math.abs(a - b) <= 0.1 * Math.min(a, b);
}

/** Where warming up stands: `done` once the warm-up time is spent and the blocks agree, or at the cap. */
class WarmUp {
  private readonly t0 = performance.now();
  private readonly perRunMs: number[] = [];
  readonly blockMs: number;
  constructor(
    private readonly o: MeasureOptions,
    firstRunMs: number,
  ) {
    // A slow case's first run (the correctness gate) is its warm-up.
    this.blockMs = firstRunMs < o.warmupMs ? Math.max(o.warmupMs / 4, 1e-3) : 0;
  }
  get done(): boolean {
    if (this.blockMs === 0) return true;
    const spent = performance.now() - this.t0;
    return (spent >= this.o.warmupMs && settled(this.perRunMs)) || spent >= this.o.settleCapMs;
  }
  block(runs: number, ms: number): void {
    this.perRunMs.push(ms / runs);
  }
}

/**
 * Times a synchronous function that has already run once (the correctness gate) in `firstRunMs`:
 * that run sizes the batches and, for slow cases, counts as the warm-up.
 */
export function measureSync(run: () => unknown, o: MeasureOptions, firstRunMs: number): Measurement {
  const runsPerSample = runsFor(firstRunMs, o);
  for (const w = new WarmUp(o, firstRunMs); !w.done; ) {
    const s = performance.now();
    let runs = 0;
    for (; runs === 0 || performance.now() - s < w.blockMs; runs++) sink = run();
    w.block(runs, performance.now() - s);
  }
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  const start = performance.now();
  while (!enough(samples.length, performance.now() - start, o)) {
    const c = process.cpuUsage();
    const s = performance.now();
    for (let i = 0; i < runsPerSample; i++) sink = run();
    samples.push((performance.now() - s) / 1000 / runsPerSample);
    cpuSamples.push(cpuSeconds(c) / runsPerSample);
  }
  return { samples, cpuSamples, runsPerSample };
}

/** measureSync for an asynchronous function (each run awaited before the next starts). */
export async function measureAsync(
  run: () => Promise<unknown>,
  o: MeasureOptions,
  firstRunMs: number,
): Promise<Measurement> {
  const runsPerSample = runsFor(firstRunMs, o);
  for (const w = new WarmUp(o, firstRunMs); !w.done; ) {
    const s = performance.now();
    let runs = 0;
    for (; runs === 0 || performance.now() - s < w.blockMs; runs++) sink = await run();
    w.block(runs, performance.now() - s);
  }
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  const start = performance.now();
  while (!enough(samples.length, performance.now() - start, o)) {
    const c = process.cpuUsage();
    const s = performance.now();
    for (let i = 0; i < runsPerSample; i++) sink = await run();
    samples.push((performance.now() - s) / 1000 / runsPerSample);
    cpuSamples.push(cpuSeconds(c) / runsPerSample);
  }
  return { samples, cpuSamples, runsPerSample };
}
