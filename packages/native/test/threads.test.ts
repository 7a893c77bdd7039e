// Context-aware addon: worker threads load it (through @onebit/bitops alone) and share the memory.
import { Worker } from "node:worker_threads";
import { BitopsHeap, createKernels } from "@onebit/bitops";
import { describe, expect, it } from "vitest";
import { gemmLayout, status, withOutput } from "./support.js";

function runWorker(
  data: unknown,
): Promise<{ ok: boolean; backend?: string; auto?: string; message?: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./fixtures/native-worker.mjs", import.meta.url), { workerData: data });
    worker.once("message", (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

describe.runIf(status.available)("native kernels in worker_threads", () => {
  it("two workers and the main thread split one GEMM over a shared memory, bit-exact", async () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 256, shared: true });
    const heap = new BitopsHeap(memory);
    const m = 30;
    const l = gemmLayout(heap, m, 57, 1111, 2024);
    const args = withOutput(heap, l.dot, m);
    const replies = await Promise.all([
      runWorker({ memory, args, rowStart: 0, rowEnd: 10 }),
      runWorker({ memory, args, rowStart: 10, rowEnd: 20 }),
    ]);
    createKernels({ backend: "native", memory }).gemmRows(args, 20, m);
    for (const r of replies) expect(r).toEqual({ ok: true, backend: "native", auto: "native" });
    expect(heap.i32(args.out, m * 57)).toEqual(l.expected);
  });
});
