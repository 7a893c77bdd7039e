import type { ThreadPoolFactory } from "@onebit/runtime";
import { WorkerPool, floatGlueForWorkers } from "@onebit/runtime/workers";
import { WORKER_SOURCE } from "./worker/worker-source.generated.js";

// Web Workers for a session: @onebit/runtime's `WorkerPool` and worker protocol over the web's
// `Worker`, started from the embedded worker code. inference-session.ts imports this module on
// demand, so bundlers put it (with the worker code) in a chunk that only pages starting workers
// download (pages without cross-origin isolation never can).

/** How long a worker may take to load and report ready before the pool gives up. */
const START_TIMEOUT_MS = 15_000;

let workerUrl: string | undefined;

/** One Blob URL for the embedded worker code per page, kept for the page's lifetime (a few KB). */
function embeddedWorkerUrl(): string {
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return workerUrl;
}

function eventMessage(event: Event): string {
  const e = event as ErrorEvent;
  return e.message || `${event.type} event`;
}

/**
 * A `ThreadPoolFactory` for `@onebit/runtime`'s `Engine` that starts Web Workers from the embedded
 * worker code. `module` is the kernel module compiled for a shared memory (null for the TypeScript
 * backend; the float glue's bytes are posted with it); `onPass` is told of every pass the workers
 * run and `onStarted` of every pool started (for `getBackendInfo`).
 */
export function webWorkerPool(
  module: WebAssembly.Module | null,
  onPass: () => void,
  onStarted?: (pool: WorkerPool<Worker>) => void,
): ThreadPoolFactory {
  return async (inits) => {
    // The float glue for the WebAssembly backends (the worker code has no module bytes).
    const floatGlue = module ? await floatGlueForWorkers() : null;
    const pool = await WorkerPool.start(
      inits,
      (index, events) => {
        // Throws e.g. under a Content-Security-Policy without `worker-src blob:`.
        const worker = new Worker(embeddedWorkerUrl(), { name: `onebit-${index}` });
        worker.onmessage = ({ data }) => events.message(data);
        worker.onerror = (event) => {
          event.preventDefault();
          events.failed(`crashed (${eventMessage(event)})`);
        };
        worker.onmessageerror = () => events.failed("sent a message that could not be deserialized");
        return worker;
      },
      { startTimeoutMs: START_TIMEOUT_MS, module, floatGlue, onPass },
    );
    onStarted?.(pool);
    return pool;
  };
}
