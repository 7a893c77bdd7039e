import { type FromWorker, type ToWorker, workerMessageHandler } from "@onebit/runtime/workers";
import { usePostedFloatGlue, usePostedModule } from "./posted-kernels.js";

// The code of every Web Worker a session starts: @onebit/runtime's worker protocol, with the kernel
// module and float glue the page posts in "init". scripts/build-worker.mjs bundles it (with the parts of
// @onebit/runtime and @onebit/bitops it uses) into one classic-script string that the package
// embeds and starts from a Blob URL, so users host no extra file.

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
const handle = workerMessageHandler((reply) => scope.postMessage(reply));

scope.onmessage = ({ data }) => {
  // The worker bundle has no module bytes: its kernels instantiate the module posted with init, and
  // the runtime's float glue (loaded while init is handled) is the posted one.
  if (data?.type === "init") {
    usePostedModule(data.module);
    usePostedFloatGlue(data.floatGlue ?? null);
  }
  handle(data);
};
