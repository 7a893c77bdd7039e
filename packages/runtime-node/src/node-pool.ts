import { Worker } from "node:worker_threads";
import { RuntimeError, type ThreadPool, type WorkerInit, abortThreads } from "@onebit/runtime";

/** How long workers may take to start (load modules, compile the kernels) before creation fails. */
const START_TIMEOUT_MS = 60_000;

type Reply =
  | { type: "ready" }
  | { type: "done"; id: number }
  | { type: "aborted"; id: number; message: string }
  | { type: "error"; id: number; message: string };

export interface NodePoolOptions {
  /** Told about a worker failure that happened between runs (a failure during a run rejects the run). */
  readonly onWorkerError?: (error: RuntimeError) => void;
}

/**
 * `worker_threads` workers running one engine's plan over its shared memory. A worker that exits,
 * throws or fails to start makes the pool fail: the pass in flight rejects with "WORKER_FAILED",
 * the others are released from the barrier (`abortThreads`) and terminated, and `alive` turns false
 * so the engine starts a fresh pool for the next pass. Workers are unref'd while idle, so a
 * forgotten session does not keep the process alive.
 */
export class NodeThreadPool implements ThreadPool {
  readonly workers: Worker[] = [];
  private isAlive = true;
  private closing = false;
  private nextId = 0;
  private current:
    | { id: number; remaining: number; resolve: () => void; reject: (e: RuntimeError) => void }
    | undefined;

  private constructor(
    private readonly inits: readonly WorkerInit[],
    private readonly options: NodePoolOptions,
  ) {}

  get size(): number {
    return this.workers.length;
  }

  get alive(): boolean {
    return this.isAlive;
  }

  /** Starts one worker per init and resolves once all have built their runners. */
  static start(inits: readonly WorkerInit[], options: NodePoolOptions = {}): Promise<NodeThreadPool> {
    const pool = new NodeThreadPool(inits, options);
    const url = new URL("./worker.js", import.meta.url);
    return new Promise<NodeThreadPool>((resolve, reject) => {
      let pending = inits.length;
      const timer = setTimeout(
        () =>
          startFailed(
            new RuntimeError(
              "WORKER_FAILED",
              `worker threads did not start within ${START_TIMEOUT_MS / 1000} s`,
            ),
          ),
        START_TIMEOUT_MS,
      );
      const startFailed = (error: RuntimeError) => {
        clearTimeout(timer);
        pool.isAlive = false;
        void pool.close();
        reject(error);
      };
      inits.forEach((init, index) => {
        const worker = new Worker(url, { workerData: init });
        pool.workers.push(worker);
        worker.on("message", (m: Reply) => {
          if (m.type === "ready") {
            worker.unref();
            if (--pending === 0) {
              clearTimeout(timer);
              resolve(pool);
            }
          } else if (pending > 0 && m.type === "error") {
            startFailed(new RuntimeError("WORKER_FAILED", `worker ${index} could not start: ${m.message}`));
          } else pool.onReply(index, m);
        });
        worker.on("error", (error) => {
          const failure = new RuntimeError("WORKER_FAILED", `worker ${index} failed: ${error.message}`, {
            cause: error,
          });
          if (pending > 0) startFailed(failure);
          else pool.fail(failure);
        });
        worker.on("exit", (code) => {
          if (pool.closing) return;
          const failure = new RuntimeError(
            "WORKER_FAILED",
            `worker ${index} exited unexpectedly (exit code ${code})`,
          );
          if (pending > 0) startFailed(failure);
          else pool.fail(failure);
        });
      });
    });
  }

  private onReply(index: number, m: Reply): void {
    const run = this.current;
    if (m.type === "ready" || !run || m.id !== run.id) return;
    if (m.type === "done") {
      if (--run.remaining === 0) this.finish()?.resolve();
    } else if (m.type === "error") {
      this.fail(
        new RuntimeError("WORKER_FAILED", `worker ${index} threw while running a batch: ${m.message}`),
      );
    }
    // "aborted": another worker failed first and has already been reported.
  }

  private finish() {
    const run = this.current;
    this.current = undefined;
    for (const w of this.workers) w.unref();
    return run;
  }

  /** Marks the pool dead, releases the barrier, reports the failure and terminates every worker. */
  private fail(error: RuntimeError): void {
    if (!this.isAlive) return;
    this.isAlive = false;
    const first = this.inits[0]!;
    abortThreads(first.memory, first.plan);
    const run = this.finish();
    if (run) run.reject(error);
    else this.options.onWorkerError?.(error);
    void this.close();
  }

  run(batch: number): Promise<void> {
    if (!this.isAlive)
      return Promise.reject(new RuntimeError("WORKER_FAILED", "the worker pool has failed or was closed"));
    if (this.current)
      return Promise.reject(new RuntimeError("INVALID_ARGUMENT", "a pass is already running on this pool"));
    return new Promise<void>((resolve, reject) => {
      const id = this.nextId++;
      this.current = { id, remaining: this.workers.length, resolve, reject };
      for (const w of this.workers) {
        w.ref();
        w.postMessage({ type: "run", batch, id });
      }
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.isAlive = false;
    const run = this.finish();
    run?.reject(new RuntimeError("DISPOSED", "the worker pool was closed during a pass"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
