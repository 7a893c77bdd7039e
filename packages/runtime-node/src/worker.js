// A worker thread of an InferenceSession (plain JS so it loads the same from src/ and dist/): hands
// every message to @onebit/runtime's worker protocol, which builds the runner on "init" and runs its
// share of each pass it is told to run. Like the package's entry, it registers the native kernels
// and their float glue where the addon loads, so a native-backend worker runs the graph's float
// steps natively (the handler loads the WebAssembly glue for the other backends).
import "@onebit/native/register";
import { parentPort } from "node:worker_threads";
import { workerMessageHandler } from "@onebit/runtime/workers";

const port = parentPort;
port.on(
  "message",
  workerMessageHandler((reply) => port.postMessage(reply)),
);
