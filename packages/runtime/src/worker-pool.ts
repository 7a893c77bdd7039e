import { RuntimeError } from "./errors.js";
import type { WorkerInit } from "./plan.js";
import { type ThreadPool, abortThreads } from "./threads.js";
import type { FromWorker, ToWorker, WorkerFloatGlue } from "./worker-protocol.js";

// The pool side of the worker protocol, written once: environments only say how a worker starts
// and how its events arrive (runtime-node: worker_threads; runtime-web: Web Workers).

/** A started worker as the pool needs it: Node.js's `Worker` and the web's `Worker` both fit. */
export interface PoolWorker {
  postMessage(message: ToWorker): void;
  terminate(): unknown;
}

/** Where an environment reports a worker's events. */
export interface WorkerEvents {
  /** A reply of the worker (`workerMessageHandler`'s). */
  message(reply: FromWorker): void;
  /**
   * The worker cannot go on: it crashed, exited or could not load; `what` says how, as a predicate
   * ("exited unexpectedly (exit code 1)", "crashed (…)").
   */
  failed(what: string, cause?: unknown): void;
}

/**
 * Starts worker `index` and routes its events to `events` (a rejection or throw: it could not
 * start, e.g. a page's policy forbids workers).
 */
export type StartWorker<W extends PoolWorker> = (index: number, events: WorkerEvents) => W | Promise<W>;

export interface WorkerPoolOptions<W extends PoolWorker> {
  /** How long the workers may take to report ready. */
  readonly startTimeoutMs: number;
  /** Posted with every init (see `ToWorker`); default null. */
  readonly module?: WebAssembly.Module | null;
  /** Posted with every init (see `ToWorker`, `floatGlueForWorkers`); default null. */
  readonly floatGlue?: string | null;
  /** Told of every pass the workers run. */
  readonly onPass?: () => void;
  /** Told of a worker failure between passes (one during a pass rejects the pass instead). */
  readonly onIdleFailure?: (error: RuntimeError) => void;
  /** Called with true while a pass runs and false when idle (Node.js: ref/unref, so idle workers never keep the process alive). */
  readonly busy?: (worker: W, busy: boolean) => void;
  /**
   * After a failure during a pass, how long the other workers may take to leave the pass (they stop
   * at the next step or barrier) before the pass rejects anyway; default `ABORT_GRACE_MS`.
   */
  readonly abortGraceMs?: number;
}

/**
 * Default `abortGraceMs`. Workers check the abort flag between steps and while waiting at the
 * barrier, so they leave an aborted pass within one step: seconds are room for a loaded machine.
 */
export const ABORT_GRACE_MS = 5_000;

const failed = (message: string, cause?: unknown) =>
  new RuntimeError("WORKER_FAILED", message, cause === undefined ? undefined : { cause });

interface Pass {
  readonly id: number;
  /** Workers that were sent this pass and have neither answered it nor died. */
  readonly running: Set<number>;
  resolve(): void;
  reject(error: RuntimeError): void;
  /** Set when the pass failed: it rejects with this once `running` is empty (or the grace ends). */
  failure?: RuntimeError;
  /** A worker answered that it was aborted (only ever after a failure the pool has seen). */
  aborted?: boolean;
  grace?: ReturnType<typeof setTimeout>;
}

/**
 * Workers running one engine's plan over its shared memory. A pass posts "run" to every worker and
 * resolves when all report "done". A worker that replies an error, crashes or exits fails the pool:
 * the barrier is released (`abortThreads`), the pass in flight rejects with RuntimeError
 * "WORKER_FAILED" (between passes `onIdleFailure` hears of it), every worker is terminated, and
 * `alive` turns false, so the engine starts a fresh pool for its next threaded pass.
 *
 * A failed pass rejects only once every other worker has left it (answered, or died), or after
 * `abortGraceMs`: the next pool clears the abort flag on the same control block, and a browser's
 * `Worker.terminate()` does not stop a worker at once — a worker of the failed pool still running
 * (or only then starting) the pass would meet the new workers at their barrier, and a barrier with
 * one arrival too many leaves a worker waiting for ever.
 */
export class WorkerPool<W extends PoolWorker = PoolWorker> implements ThreadPool {
  readonly workers: W[] = [];
  /** Where each worker runs the float steps, as it reported when ready. */
  readonly floatGlue: WorkerFloatGlue[] = [];
  private pass: Pass | undefined;
  private passes = 0;
  private failure: RuntimeError | undefined;
  private terminated: Promise<unknown> = Promise.resolve();
  /** Workers still to report ready; start() waits on them. */
  private starting: { pending: number; resolve(): void; reject(error: RuntimeError): void } | undefined;

  private constructor(
    private readonly inits: readonly WorkerInit[],
    private readonly options: WorkerPoolOptions<W>,
  ) {}

  /**
   * Starts one worker per init with `start`, posts each its init, and resolves once all report
   * ready. Rejects with RuntimeError "WORKER_FAILED" naming the worker when one cannot start, fails
   * its init, or the workers are not ready within `startTimeoutMs` (the others are terminated).
   */
  static async start<W extends PoolWorker>(
    inits: readonly WorkerInit[],
    start: StartWorker<W>,
    options: WorkerPoolOptions<W>,
  ): Promise<WorkerPool<W>> {
    const pool = new WorkerPool<W>(inits, options);
    const ready = new Promise<void>((resolve, reject) => {
      pool.starting = { pending: inits.length, resolve, reject };
    });
    ready.catch(() => {}); // awaited below, after the workers are made: not an unhandled rejection
    const timer = setTimeout(
      () => pool.fail(failed(`worker threads did not start within ${options.startTimeoutMs / 1000} s`)),
      options.startTimeoutMs,
    );
    try {
      const started = await Promise.allSettled(inits.map(async (_, i) => start(i, pool.eventsOf(i))));
      started.forEach((s, i) => {
        if (s.status === "fulfilled") pool.workers[i] = s.value;
      });
      // Workers that started after the pool failed (e.g. the timeout): stop them too.
      if (pool.failure) pool.terminateAll();
      const refused = started.findIndex((s) => s.status === "rejected");
      if (refused >= 0) {
        const reason = (started[refused] as PromiseRejectedResult).reason;
        pool.fail(failed(`worker ${refused} could not start: ${describe(reason)}`, reason));
      } else {
        const module = options.module ?? null;
        const floatGlue = options.floatGlue ?? null;
        inits.forEach((init, i) => {
          try {
            pool.workers[i]!.postMessage({ type: "init", init, module, floatGlue });
          } catch (error) {
            // e.g. a memory that cannot be shared with workers (DataCloneError)
            pool.fail(failed(`worker ${i} could not start: ${describe(error)}`, error));
          }
        });
      }
      await ready;
    } finally {
      clearTimeout(timer);
    }
    for (const w of pool.workers) options.busy?.(w, false);
    return pool;
  }

  get size(): number {
    return this.inits.length;
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  private eventsOf(index: number): WorkerEvents {
    return {
      message: (reply) => this.receive(index, reply),
      failed: (what, cause) => {
        const message = this.starting
          ? `worker ${index} could not start: ${what}`
          : `worker ${index} ${what} ${this.pass ? "during a pass" : "between passes"}`;
        this.fail(failed(message, cause));
        this.left(index); // a dead worker no longer runs the pass
      },
    };
  }

  /** A worker answered the pass in flight (or died during it): it no longer touches the memory. */
  private left(index: number, id?: number): void {
    const pass = this.pass;
    if (!pass || (id !== undefined && id !== pass.id) || !pass.running.delete(index)) return;
    if (pass.running.size > 0) return;
    if (!pass.failure && pass.aborted) this.fail(failed("the pass was aborted"));
    if (pass.failure) this.settleFailed();
    else this.finish()?.resolve();
  }

  private receive(index: number, reply: FromWorker): void {
    // An error fails the pool before its sender leaves the pass (the pass must not resolve).
    if (reply.type === "done" || (reply.type === "error" && (reply.aborted || this.failure))) {
      if (reply.type === "error" && this.pass?.id === reply.id) this.pass.aborted = true;
      this.left(index, reply.id);
    }
    if (this.failure) return;
    if (reply.type === "ready") {
      this.floatGlue[index] = reply.floatGlue;
      const s = this.starting;
      if (s && --s.pending === 0) {
        this.starting = undefined;
        s.resolve();
      }
    } else if (reply.type === "error" && !reply.aborted) {
      const what = this.starting
        ? "could not start"
        : this.pass
          ? "threw while running a pass"
          : "reported an error";
      this.fail(failed(`worker ${index} ${what}: ${reply.message}`));
      this.left(index, reply.id);
    }
    // An `aborted` error is the echo of another worker's failure, already reported.
  }

  /** Ends the pass in flight (if any) and lets idle workers go. */
  private finish(): Pass | undefined {
    const pass = this.pass;
    this.pass = undefined;
    for (const w of this.workers) if (w) this.options.busy?.(w, false);
    return pass;
  }

  /** Marks the pool failed, releases the barrier, terminates every worker and reports `error`. */
  private fail(error: RuntimeError): void {
    if (this.failure) return;
    this.failure = error;
    const first = this.inits[0];
    try {
      if (first) abortThreads(first.memory, first.plan);
    } catch {
      // A memory that is not shared (or a bad plan): no worker can be waiting on it.
    }
    const starting = this.starting;
    this.starting = undefined;
    const pass = this.pass;
    if (pass) {
      pass.failure = error;
      // Closing ("DISPOSED") needs no wait: no pool follows on this memory.
      if (error.code !== "WORKER_FAILED" || pass.running.size === 0) this.settleFailed();
      else pass.grace = setTimeout(() => this.settleFailed(), this.options.abortGraceMs ?? ABORT_GRACE_MS);
      return;
    }
    this.terminateAll();
    if (starting) starting.reject(error);
    else if (error.code === "WORKER_FAILED") this.options.onIdleFailure?.(error);
  }

  /** Rejects the failed pass in flight and terminates the workers. */
  private settleFailed(): void {
    const pass = this.pass;
    if (!pass?.failure) return;
    clearTimeout(pass.grace);
    this.finish();
    this.terminateAll();
    pass.reject(pass.failure);
  }

  private terminateAll(): void {
    const stopping = this.workers.filter((w) => w).map((w) => Promise.resolve(w.terminate()).catch(() => {}));
    this.terminated = Promise.all([this.terminated, ...stopping]);
  }

  run(batch: number): Promise<void> {
    if (this.failure)
      return Promise.reject(failed(`the worker pool is closed: ${this.failure.message}`, this.failure));
    if (this.pass)
      return Promise.reject(new RuntimeError("INVALID_ARGUMENT", "a pass is already running on this pool"));
    const id = ++this.passes;
    return new Promise<void>((resolve, reject) => {
      this.pass = { id, running: new Set(this.workers.keys()), resolve, reject };
      for (const w of this.workers) {
        this.options.busy?.(w, true);
        w.postMessage({ type: "run", id, batch });
      }
      this.options.onPass?.();
    });
  }

  /** Terminates the workers (resolving when they have stopped); a pass in flight rejects with "DISPOSED" (or its failure). Idempotent. */
  async close(): Promise<void> {
    this.fail(new RuntimeError("DISPOSED", "the worker pool was closed"));
    this.settleFailed(); // a failed pass still waiting for its workers: no pool follows now
    await this.terminated;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The WebAssembly float glue's module for workers' shared memory (base64), to post to workers that
 * cannot load it themselves (`WorkerPoolOptions.floatGlue`); null where it cannot load. Its chunk is
 * the one the calling thread's engines load.
 */
export function floatGlueForWorkers(): Promise<string | null> {
  return import("./wasm/float-glue-shared.generated.js").then(
    (m) => m.FLOAT_GLUE_SHARED_WASM_BASE64,
    () => null,
  );
}
