import { createKernels } from "@onebit/bitops";
import { RuntimeError } from "./errors.js";
import { StepExecutor, columnSlices, rowShare } from "./executor.js";
import { denseFloatRows } from "./float-steps.js";
import type { PlanData, WorkerInit } from "./plan.js";

// Multi-threading, independent of how threads are made: the engine's memory is a shared
// WebAssembly.Memory; each worker runs its contiguous share of every step's output rows and meets the
// others at a barrier (Atomics on the plan's control block) before the next step. The messages
// between pool and workers are worker-protocol.ts's, the pool is worker-pool.ts's; an environment
// package (runtime-node: worker_threads; runtime-web: Web Workers) only starts workers and moves
// their messages and deaths.

/** Int32 slots of the control block. */
const COUNT = 0;
const GENERATION = 1;
const ABORT = 2;
/** Busy-wait iterations before sleeping in Atomics.wait (steps are often only microseconds apart). */
const SPINS = 20_000;
/** Longest sleep before re-checking the abort flag, in milliseconds. */
const WAIT_MS = 20;

function controlView(memory: WebAssembly.Memory, plan: PlanData): Int32Array {
  if (typeof SharedArrayBuffer === "undefined" || !(memory.buffer instanceof SharedArrayBuffer)) {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      "threads need the engine's memory to be shared (SharedArrayBuffer)",
    );
  }
  return new Int32Array(memory.buffer, plan.control, 4);
}

/** Thrown inside a worker when the pass was aborted (another worker died). */
export class ThreadsAborted extends Error {
  override readonly name = "ThreadsAborted";
}

/** A reusable barrier for `parties` threads over the control block. */
class Barrier {
  constructor(
    private readonly c: Int32Array,
    private readonly parties: number,
  ) {}

  arrive(): void {
    const c = this.c;
    const gen = Atomics.load(c, GENERATION);
    if (Atomics.add(c, COUNT, 1) === this.parties - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    let spins = 0;
    while (Atomics.load(c, GENERATION) === gen) {
      if (Atomics.load(c, ABORT) !== 0) throw new ThreadsAborted("the pass was aborted");
      if (spins < SPINS) spins++;
      else Atomics.wait(c, GENERATION, gen, WAIT_MS);
    }
  }
}

/** The worker side: built once from `WorkerInit`, then `run(batch)` per pass. */
export interface WorkerRunner {
  /** Runs this thread's rows of every step for `batch` samples; throws `ThreadsAborted` if aborted. */
  run(batch: number): void;
}

/** Builds a worker's runner: its own kernel instance over the shared memory, and the barrier. */
export function createWorkerRunner(init: WorkerInit): WorkerRunner {
  const kernels = createKernels({
    backend: init.backend,
    memory: init.memory,
    ...(init.tile ? { tile: init.tile } : {}),
  });
  const executor = new StepExecutor(init.plan, kernels);
  const control = controlView(init.memory, init.plan);
  const barrier = new Barrier(control, init.threadCount);
  const steps = init.plan.steps;
  return {
    run(batch: number): void {
      for (let i = 0; i < steps.length; i++) {
        if (Atomics.load(control, ABORT) !== 0) throw new ThreadsAborted("the pass was aborted");
        const rows = StepExecutor.rows(steps[i]!, batch);
        if (splitsColumns(executor, i, init.threadCount)) runColumns(executor, i, init.threadIndex, rows);
        else {
          const [r0, r1] = rowShare(rows, init.threadIndex, init.threadCount);
          executor.runRows(i, r0, r1, init.threadIndex);
        }
        if (i < steps.length - 1) barrier.arrive();
      }
    },
  };
}

/**
 * Whether step `index` runs split by columns on `threads` threads (each thread runs its column slice
 * over every row: `runColumns`). Only workers split steps, so this and `runColumns` live here.
 */
export function splitsColumns(executor: StepExecutor, index: number, threads: number): boolean {
  return threads > 1 && columnSlices(executor.plan.steps[index]!) === threads;
}

/** Runs column slice `slice` of GEMM step `index` over rows [0, rows) (threads split by columns). */
export function runColumns(executor: StepExecutor, index: number, slice: number, rows: number): void {
  const { views, kernels } = executor;
  const s = executor.plan.steps[index]!;
  if (s.op === "denseFloat" && s.columns) {
    if (rows > 0) denseFloatRows(views, s, 0, rows, s.columns[slice]!, s.columns[slice + 1]!);
    return;
  }
  if (s.op !== "gemm" || !s.columns) throw new Error(`step ${index} has no column slices`);
  const c = s.columns[slice]!;
  if (c.args.n === 0 || rows === 0) return;
  if (s.bitPlane) kernels.bitPlaneGemmRows(c.args, 0, rows);
  else kernels.gemmRows(c.args, 0, rows);
  const copy = c.copy;
  if (!copy) return;
  const u32 = views.u32;
  const src = c.args.out >>> 2;
  const dst = copy.dst >>> 2;
  for (let m = 0; m < rows; m++) {
    const from = src + m * copy.srcStride;
    const to = dst + m * copy.dstStride;
    for (let w = 0; w < copy.words; w++) u32[to + w] = u32[from + w]!;
    for (let w = copy.words; w < copy.words + copy.zero; w++) u32[to + w] = 0;
  }
}

/** Wakes every worker waiting at the barrier and makes the current pass fail (a worker died). */
export function abortThreads(memory: WebAssembly.Memory, plan: PlanData): void {
  const c = controlView(memory, plan);
  Atomics.store(c, ABORT, 1);
  Atomics.add(c, GENERATION, 1);
  Atomics.notify(c, GENERATION);
}

/** Clears the control block before a new set of workers starts (after an abort or at creation). */
export function resetThreads(memory: WebAssembly.Memory, plan: PlanData): void {
  const c = controlView(memory, plan);
  Atomics.store(c, COUNT, 0);
  Atomics.store(c, ABORT, 0);
}

/**
 * Worker threads running a plan, made by an environment package. `run(batch)` starts every worker
 * on the pass (the input is already in memory) and resolves when all are done. If a worker dies or
 * throws, the pool calls `abortThreads`, rejects with a `RuntimeError` "WORKER_FAILED" and closes
 * itself (`alive` turns false, also when a worker dies between passes); the engine then makes a new
 * pool for later passes.
 */
export interface ThreadPool {
  readonly size: number;
  /** False once a worker died or the pool was closed; the engine then starts a new pool. */
  readonly alive: boolean;
  run(batch: number): Promise<void>;
  close(): Promise<void>;
}

/** What an environment provides to start workers: given each worker's init, a ready pool. */
export type ThreadPoolFactory = (inits: readonly WorkerInit[]) => Promise<ThreadPool>;
