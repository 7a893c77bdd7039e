// A worker thread of an InferenceSession (plain JS so it loads the same from src/ and dist/): builds
// its runner once from workerData, then runs its share of each pass it is told to run.
import { parentPort, workerData } from "node:worker_threads";
import { ThreadsAborted, createWorkerRunner } from "@onebit/runtime";

const port = parentPort;
const message = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

let runner;
try {
  runner = createWorkerRunner(workerData);
  port.postMessage({ type: "ready" });
} catch (error) {
  port.postMessage({ type: "error", id: -1, message: message(error) });
}

port.on("message", (m) => {
  if (m.type !== "run" || !runner) return;
  try {
    runner.run(m.batch);
    port.postMessage({ type: "done", id: m.id });
  } catch (error) {
    port.postMessage({
      type: error instanceof ThreadsAborted ? "aborted" : "error",
      id: m.id,
      message: message(error),
    });
  }
});
