import type { KernelBackend } from "@onebit/bitops";
import { parallelSaving } from "./cost-model.js";
import { columnSlices } from "./executor.js";
import { PassChooser, type PassMode } from "./pass-chooser.js";
import type { PlanData, WorkerInit } from "./plan.js";
import { type ThreadPool, type ThreadPoolFactory, resetThreads } from "./threads.js";

/**
 * Passes estimated longer than this (single-threaded) always use the workers; shorter ones are
 * measured. High on purpose: on a busy machine a 2 ms ConvNet pass ran 2.5× slower on 2 workers
 * than on the calling thread, and the estimates are only rough; measuring costs a few passes.
 */
const MEASURE_BELOW_NS = 50_000_000;
/** Passes run right after workers start, so measurements see their optimized code (results unused). */
const WARMUP_PASSES = 3;

/** What a threaded engine hands its dispatch (once). */
export interface DispatchContext {
  readonly plan: PlanData;
  readonly memory: WebAssembly.Memory;
  readonly backend: KernelBackend;
  readonly threads: number;
  /** The GEMM tile the calling thread's kernels run, for the workers (none rerun the tuning). */
  readonly tile: WorkerInit["tile"];
  readonly parallelThresholdNs: number;
  readonly threadPool: ThreadPoolFactory;
}

/**
 * Where an engine with threads runs each pass, and its workers: starts (and warms) the pool when a
 * pass first needs it, replaces one that closed, and places passes by the cost model and by
 * measurement. A module of its own, loaded by `Engine.create` only for threads > 1, so that browser
 * pages that run on one thread never download it.
 */
export class ThreadDispatch {
  private pool: ThreadPool | undefined;
  private starting: Promise<ThreadPool> | undefined;
  private readonly chooser = new PassChooser();

  constructor(private readonly c: DispatchContext) {}

  /**
   * Where a pass of `count` samples runs: the calling thread when the cost model sees no gain in
   * splitting it; otherwise whichever of the two measured faster for passes of that size (forced to
   * the workers when `parallelThresholdNs` ≤ 0).
   */
  mode(count: number): PassMode {
    if (!this.parallel(count)) return "calling";
    // Long passes go to the workers: their saving dwarfs any wake-up cost. Short ones are measured,
    // unless a threshold ≤ 0 asks for the workers outright.
    if (this.c.parallelThresholdNs <= 0 || this.c.plan.costPerSample * count >= MEASURE_BELOW_NS)
      return "workers";
    return this.chooser.choose(count);
  }

  /** A pass of `count` samples took `ns` in `mode`. */
  record(count: number, mode: PassMode, ns: number): void {
    this.chooser.record(count, mode, ns);
  }

  /**
   * Whether a pass of `batch` samples is worth the workers: the estimated time saved by splitting each
   * step's rows (a 1-row step cannot be split) must exceed the dispatch and barrier costs by
   * `parallelThresholdNs`. Batch-1 MLPs therefore stay on the calling thread.
   */
  private parallel(batch: number): boolean {
    const { plan, threads } = this.c;
    const saving = parallelSaving(plan.steps, batch, threads, (step) => columnSlices(step) === threads);
    return saving >= this.c.parallelThresholdNs;
  }

  /** The started pool, starting (and warming) one first where none is alive. */
  ensurePool(): Promise<ThreadPool> {
    if (this.pool && !this.pool.alive) this.pool = undefined;
    if (this.pool) return Promise.resolve(this.pool);
    if (!this.starting) {
      const { plan, memory } = this.c;
      resetThreads(memory, plan);
      this.starting = this.c.threadPool(this.inits()).then(
        async (pool) => {
          // Warm the workers' kernels (V8 tiers WebAssembly up after first use) on whatever the
          // buffers hold; every real pass overwrites what these write.
          // Only needed where passes are placed by measurement (a positive threshold).
          if (this.c.parallelThresholdNs > 0) {
            for (let i = 0; i < WARMUP_PASSES; i++) await pool.run(Math.min(plan.capacity, 1 + 3 * i));
          }
          this.pool = pool;
          this.starting = undefined;
          return pool;
        },
        (error) => {
          this.starting = undefined;
          throw error;
        },
      );
    }
    return this.starting;
  }

  /** A pass on `pool` failed and the pool closed itself: the next threaded pass starts a fresh one. */
  forget(pool: ThreadPool): void {
    if (this.pool === pool) this.pool = undefined;
  }

  /** Stops the workers (waiting for a pool still starting). */
  async close(): Promise<void> {
    const pool = this.pool ?? (await this.starting?.catch(() => undefined));
    this.pool = undefined;
    await pool?.close();
  }

  private inits(): WorkerInit[] {
    const { memory, backend, tile, plan, threads } = this.c;
    return Array.from({ length: threads }, (_, t) => ({
      memory,
      backend,
      ...(tile ? { tile } : {}),
      plan,
      threadIndex: t,
      threadCount: threads,
    }));
  }
}
