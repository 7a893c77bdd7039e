import {
  RuntimeError,
  type ThreadPool,
  type ThreadPoolFactory,
  type WorkerInit,
  abortThreads,
} from "@onebit/runtime";
import type { FromWorker, ToWorker } from "./worker/protocol.js";

/** How long a worker may take to load and report ready before the pool gives up. */
const START_TIMEOUT_MS = 15_000;

let workerUrl: Promise<string> | undefined;

/**
 * One Blob URL for the embedded worker code per page, kept for the page's lifetime (a few KB). The
 * code is a dynamic import: bundlers put it in a chunk that only pages starting workers download
 * (pages without cross-origin isolation never can).
 */
function embeddedWorkerUrl(): Promise<string> {
  workerUrl ??= import("./worker/worker-source.generated.js").then(
    ({ WORKER_SOURCE }) => URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" })),
    (error: unknown) => {
      workerUrl = undefined;
      throw failed(`the worker code could not be loaded: ${String(error)}`, error);
    },
  );
  return workerUrl;
}

function failed(message: string, cause?: unknown): RuntimeError {
  return new RuntimeError("WORKER_FAILED", message, cause === undefined ? undefined : { cause });
}

function eventMessage(event: Event): string {
  const e = event as ErrorEvent;
  return e.message || `${event.type} event`;
}

/** Starts one worker and resolves when it has built its runner. */
async function startWorker(
  index: number,
  init: WorkerInit,
  module: WebAssembly.Module | null,
): Promise<Worker> {
  const url = await embeddedWorkerUrl();
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(url, { name: `onebit-${index}` });
    } catch (error) {
      // e.g. a Content-Security-Policy without `worker-src blob:`.
      reject(failed(`worker ${index} could not start: ${String(error)}`, error));
      return;
    }
    const timer = setTimeout(() => {
      worker.terminate();
      reject(failed(`worker ${index} did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
      clearTimeout(timer);
      worker.onmessage = null;
      worker.onerror = null;
      if (data.type === "ready") resolve(worker);
      else {
        worker.terminate();
        reject(
          failed(`worker ${index}: ${data.type === "error" ? data.message : `unexpected ${data.type}`}`),
        );
      }
    };
    worker.onerror = (event) => {
      clearTimeout(timer);
      event.preventDefault();
      worker.terminate();
      reject(failed(`worker ${index} failed to load: ${eventMessage(event)}`));
    };
    const message: ToWorker = { type: "init", init, module };
    worker.postMessage(message);
  });
}

interface Pass {
  readonly id: number;
  remaining: number;
  resolve(): void;
  reject(error: RuntimeError): void;
}

/**
 * Web Workers running a plan over the engine's shared memory. A pass posts `run` to every worker and
 * resolves when all report done. If one throws or its script errors, the pass is aborted (the others
 * are woken from the barrier), rejected with "WORKER_FAILED", and the pool closes itself; the engine
 * starts a fresh pool for its next threaded pass.
 */
class WebWorkerPool implements ThreadPool {
  private pass: Pass | undefined;
  private passes = 0;
  private closed: RuntimeError | undefined;

  constructor(
    private readonly workers: Worker[],
    private readonly init: WorkerInit,
    private readonly onPass: () => void,
  ) {
    workers.forEach((worker, i) => {
      worker.onmessage = ({ data }: MessageEvent<FromWorker>) => this.receive(i, data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.fail(failed(`worker ${i} crashed: ${eventMessage(event)}`));
      };
      worker.onmessageerror = () => this.fail(failed(`worker ${i}: a message could not be deserialized`));
    });
  }

  get size(): number {
    return this.workers.length;
  }

  get alive(): boolean {
    return this.closed === undefined;
  }

  private receive(index: number, data: FromWorker): void {
    const pass = this.pass;
    if (data.type === "done") {
      if (!pass || data.id !== pass.id) return;
      if (--pass.remaining === 0) {
        this.pass = undefined;
        pass.resolve();
      }
    } else if (data.type === "error" && !data.aborted) {
      this.fail(failed(`worker ${index}: ${data.message}`));
    }
    // An `aborted` error is the echo of another worker's failure, already reported.
  }

  /** Aborts the pass in flight (waking the workers at the barrier), rejects it and closes the pool. */
  private fail(error: RuntimeError): void {
    if (this.closed) return;
    this.closed = error;
    abortThreads(this.init.memory, this.init.plan);
    const pass = this.pass;
    this.pass = undefined;
    for (const w of this.workers) w.terminate();
    pass?.reject(error);
  }

  run(batch: number): Promise<void> {
    if (this.closed) return Promise.reject(failed(`the worker pool is closed: ${this.closed.message}`));
    if (this.pass)
      return Promise.reject(new RuntimeError("INVALID_ARGUMENT", "a pass is already running on this pool"));
    const id = ++this.passes;
    return new Promise<void>((resolve, reject) => {
      this.pass = { id, remaining: this.workers.length, resolve, reject };
      const message: ToWorker = { type: "run", id, batch };
      for (const w of this.workers) w.postMessage(message);
      this.onPass();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.fail(failed("the worker pool was closed"));
  }
}

/**
 * A `ThreadPoolFactory` for `@onebit/runtime`'s `Engine` that starts Web Workers from the embedded
 * worker code. `module` is the kernel module compiled for a shared memory (null for the TypeScript
 * backend); `onPass` is told of every pass the workers run (for `getBackendInfo`).
 */
export function webWorkerPool(module: WebAssembly.Module | null, onPass: () => void): ThreadPoolFactory {
  return async (inits) => {
    const started = await Promise.allSettled(inits.map((init, i) => startWorker(i, init, module)));
    const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) {
      for (const w of workers) w.terminate();
      throw failure.reason;
    }
    return new WebWorkerPool(workers, inits[0]!, onPass);
  };
}
