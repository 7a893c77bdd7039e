/** Where a pass runs. */
export type PassMode = "calling" | "workers";

interface ModeStats {
  /** Passes seen (the first `WARMUP` of each mode are not averaged). */
  seen: number;
  /** Moving average of nanoseconds per sample; NaN until measured. */
  nsPerSample: number;
}

/** Refresh the losing mode's measurement every this many passes (machine load changes). */
const REEXPLORE_EVERY = 32;
const SMOOTHING = 0.3;
/** Passes of each mode not measured (JIT tier-up in a fresh worker or code path). */
const WARMUP = 2;
/** Measured passes of each mode before the measurement decides. */
const MIN_MEASURED = 3;

/**
 * Decides between the calling thread and the workers for passes the cost model says are worth
 * splitting, by measuring both: on a busy machine waking workers can cost milliseconds, which no
 * static estimate knows. Passes are grouped by size (powers of two); each group tries both modes a
 * few times, then runs the faster, re-measuring the other now and then.
 */
export class PassChooser {
  private readonly groups = new Map<number, { calling: ModeStats; workers: ModeStats; passes: number }>();

  private group(count: number) {
    const key = 31 - Math.clz32(count);
    let g = this.groups.get(key);
    if (!g) {
      g = {
        calling: { seen: 0, nsPerSample: Number.NaN },
        workers: { seen: 0, nsPerSample: Number.NaN },
        passes: 0,
      };
      this.groups.set(key, g);
    }
    return g;
  }

  choose(count: number): PassMode {
    const g = this.group(count);
    g.passes++;
    const measured = (s: ModeStats) => s.seen >= WARMUP + MIN_MEASURED;
    if (!measured(g.workers)) return "workers";
    if (!measured(g.calling)) return "calling";
    const best: PassMode = g.workers.nsPerSample <= g.calling.nsPerSample ? "workers" : "calling";
    if (g.passes % REEXPLORE_EVERY === 0) return best === "workers" ? "calling" : "workers";
    return best;
  }

  record(count: number, mode: PassMode, ns: number): void {
    const s = this.group(count)[mode];
    s.seen++;
    if (s.seen <= WARMUP) return;
    const perSample = ns / count;
    s.nsPerSample = Number.isNaN(s.nsPerSample)
      ? perSample
      : s.nsPerSample + SMOOTHING * (perSample - s.nsPerSample);
  }
}
