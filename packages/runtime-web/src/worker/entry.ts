import { ThreadsAborted, type WorkerRunner, createWorkerRunner } from "@onebit/runtime";
import { usePostedModule } from "./posted-kernels.js";
import type { FromWorker, ToWorker } from "./protocol.js";

// The code of every Web Worker a session starts. scripts/build-worker.mjs bundles it (with the
// parts of @onebit/runtime and @onebit/bitops it uses) into one classic-script string that the
// package embeds and starts from a Blob URL, so users host no extra file.

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
let runner: WorkerRunner | undefined;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

scope.onmessage = ({ data }) => {
  if (data.type === "init") {
    try {
      usePostedModule(data.module);
      runner = createWorkerRunner(data.init);
      scope.postMessage({ type: "ready" });
    } catch (error) {
      scope.postMessage({ type: "error", id: -1, message: `starting: ${describe(error)}`, aborted: false });
    }
    return;
  }
  if (!runner) {
    scope.postMessage({ type: "error", id: data.id, message: "run before init", aborted: false });
    return;
  }
  try {
    runner.run(data.batch);
    scope.postMessage({ type: "done", id: data.id });
  } catch (error) {
    scope.postMessage({
      type: "error",
      id: data.id,
      message: describe(error),
      aborted: error instanceof ThreadsAborted,
    });
  }
};
