// A worker thread of an InferenceSession (plain JS so it loads the same from src/ and dist/): hands
// every message to @onebit/runtime's worker protocol, which builds the runner on "init" and runs its
// share of each pass it is told to run.
import { parentPort } from "node:worker_threads";
import { workerMessageHandler } from "@onebit/runtime/workers";

const port = parentPort;
port.on(
  "message",
  workerMessageHandler((reply) => port.postMessage(reply)),
);
