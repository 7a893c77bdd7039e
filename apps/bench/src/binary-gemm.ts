// Binary GEMM cases of the gemm section: the XNOR-popcount GEMM through @onebit/bitops' pointer API
// (weights prepacked and buffers laid out once, as the runtime runs a layer) on every kernel backend,
// on two threads sharing one memory, and the cost of packing float activations into bits. The
// harness checks each answer against exact ±1 dot products before timing it (`pnpm bench --filter gemm`).
import { Worker } from "node:worker_threads";
import {
  BitopsHeap,
  type GemmArgs,
  type KernelBackend,
  createKernels,
  getBackendInfo,
  kernelRowWords,
  type NativeIsa,
  packSignsMatrix,
  prepackWeights,
} from "@onebit/bitops";
import type { CaseSpec, CheckResult } from "./harness/types.js";
import { checkExact } from "./sections/checks.js";
import { binaryExpected, binaryOperands, type GemmShape, gemmGroup } from "./sections/gemm-operands.js";

type Shape = GemmShape;

/** One binary backend over its own memory, the way a runtime lays a layer out: once. */
function binaryLayer(
  backend: KernelBackend,
  s: Shape,
  aBits: Uint32Array,
  wData: Uint32Array,
  isa?: NativeIsa,
) {
  const kernels = createKernels({ backend, ...(isa ? { isa } : {}) });
  const heap = new BitopsHeap(kernels.memory);
  const kWords = kernelRowWords(s.k);
  const a = heap.alloc(s.m * kWords * 4);
  const w = heap.alloc(wData.byteLength);
  const out = heap.alloc(s.m * s.n * 4);
  heap.u32(a, aBits.length).set(aBits);
  heap.u32(w, wData.length).set(wData);
  const args: GemmArgs = {
    mode: "dot",
    a,
    aStride: kWords * 4,
    w,
    n: s.n,
    k: s.k,
    kWords,
    out,
    outStride: s.n * 4,
    p0: 0,
    p1: 0,
  };
  return {
    run: () => kernels.gemmRows(args, 0, s.m),
    result: () => heap.i32(out, s.m * s.n),
  };
}

type KernelMemory = NonNullable<Parameters<typeof createKernels>[0]>["memory"];

/** A shared WebAssembly.Memory (this app's tsconfig has no DOM lib, hence the lookup on globalThis). */
function sharedMemory(bytes: number): KernelMemory {
  const wasm = (
    globalThis as unknown as {
      WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => KernelMemory };
    }
  ).WebAssembly;
  const pages = Math.ceil(bytes / 65536) + 1;
  return new wasm.Memory({ initial: pages, maximum: pages, shared: true });
}

// The helper thread: instantiates the kernels over the shared memory and runs its share of each
// GEMM when the generation counter at ctrl[0] changes, then publishes it at ctrl[1]. Atomics, not
// messages, so that a batch-1 layer (~0.1 ms) is not dominated by message latency.
// Native kernels: Node.js ≥ 20.16 hands the registered addon's path to workers; older ones import
// @onebit/native/register in the worker first.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(workerData.register ? import(workerData.register) : Promise.resolve())
.then(() => import(workerData.url)).then(({ createKernels }) => {
  const { memory, backend, args, rows, cols, ctrl: ctrlPtr } = workerData;
  const kernels = createKernels({ backend, memory });
  const ctrl = new Int32Array(memory.buffer, ctrlPtr, 2);
  parentPort.postMessage("ready");
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, 0, seen);
    seen = Atomics.load(ctrl, 0);
    if (seen < 0) return;
    kernels.gemmRows(args, rows[0], rows[1], cols[0], cols[1]);
    Atomics.store(ctrl, 1, seen);
    Atomics.notify(ctrl, 1);
  }
});
`;

/**
 * The same layer on two threads sharing one memory: the main thread and one worker each take half
 * of the output rows (or, for a single row, half of the output columns).
 */
async function twoThreadLayer(backend: KernelBackend, s: Shape, aBits: Uint32Array, wData: Uint32Array) {
  const kWords = kernelRowWords(s.k);
  const memory = sharedMemory(64 + s.m * kWords * 4 + wData.byteLength + s.m * s.n * 4 + 1024);
  const heap = new BitopsHeap(memory);
  const kernels = createKernels({ backend, memory });
  const ctrlPtr = heap.alloc(16);
  const a = heap.alloc(s.m * kWords * 4);
  const w = heap.alloc(wData.byteLength);
  const out = heap.alloc(s.m * s.n * 4);
  heap.u32(a, aBits.length).set(aBits);
  heap.u32(w, wData.length).set(wData);
  const args: GemmArgs = {
    mode: "dot",
    a,
    aStride: kWords * 4,
    w,
    n: s.n,
    k: s.k,
    kWords,
    out,
    outStride: s.n * 4,
    p0: 0,
    p1: 0,
  };
  const splitRows = s.m > 1;
  const rowMid = splitRows ? Math.ceil(s.m / 4) * 2 : s.m;
  const colMid = splitRows ? s.n : Math.ceil(s.n / 8) * 4;
  const mine = splitRows ? { rows: [0, rowMid], cols: [0, s.n] } : { rows: [0, 1], cols: [0, colMid] };
  const theirs = splitRows ? { rows: [rowMid, s.m], cols: [0, s.n] } : { rows: [0, 1], cols: [colMid, s.n] };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      url: import.meta.resolve("@onebit/bitops"),
      register: backend === "native" ? import.meta.resolve("@onebit/native/register") : undefined,
      memory,
      backend,
      args,
      ctrl: ctrlPtr,
      ...theirs,
    },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  const ctrl = heap.i32(ctrlPtr, 2);
  let generation = 0;
  return {
    run: () => {
      generation++;
      Atomics.store(ctrl, 0, generation);
      Atomics.notify(ctrl, 0);
      kernels.gemmRows(args, mine.rows[0]!, mine.rows[1]!, mine.cols[0], mine.cols[1]);
      for (let done = Atomics.load(ctrl, 1); done !== generation; done = Atomics.load(ctrl, 1)) {
        Atomics.wait(ctrl, 1, done);
      }
    },
    result: () => heap.i32(out, s.m * s.n),
    close: async () => {
      Atomics.store(ctrl, 0, -1);
      Atomics.notify(ctrl, 0);
      await worker.terminate();
    },
  };
}

/** Float32 activations in the memory, packed by the pointer kernel into kernel rows. */
function packLayer(backend: KernelBackend, s: Shape, values: Float32Array) {
  const kernels = createKernels({ backend });
  const heap = new BitopsHeap(kernels.memory);
  const kWords = kernelRowWords(s.k);
  const src = heap.alloc(values.byteLength);
  const out = heap.alloc(s.m * kWords * 4);
  heap.f32(src, values.length).set(values);
  const args = { src, srcStride: s.k * 4, cols: s.k, out, outStride: kWords * 4 };
  return {
    run: () => kernels.packSignsRows(args, 0, s.m),
    result: () => heap.u32(out, s.m * kWords),
  };
}

/** Bit-for-bit equality of two word arrays (packed activations). */
function sameWords(got: Uint32Array, want: Uint32Array, what: string): CheckResult {
  if (got.length !== want.length)
    return { ok: false, reason: `${what}: ${got.length} words, ${want.length} expected` };
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i])
      return { ok: false, reason: `${what}: word ${i} is ${got[i]}, expected ${want[i]}` };
  }
  return { ok: true };
}

/**
 * The binary GEMM of one shape on `backends` (one thread each) and, with `threads` ≥ 2, on two
 * threads over one shared memory (native where it loads, and wasm-i64); each checked against exact
 * ±1 dot products.
 */
export function binaryGemmCases(s: Shape, backends: readonly KernelBackend[], threads: number): CaseSpec[] {
  const group = gemmGroup(s);
  const base = {
    section: "gemm",
    group,
    precision: "binary" as const,
    work: { count: s.m * s.n * s.k, unit: "bMAC" as const },
    bytes: s.n * Math.ceil(s.k / 32) * 4,
  };
  const operands = () => {
    const op = binaryOperands(s);
    const a = packSignsMatrix(op.aSigns, s.m, s.k, { wordMultiple: 4 });
    const check = (c: Int32Array) => checkExact(c, s.m, s.n, binaryExpected(op, s.k), "binary GEMM");
    return { a: a.data, w: prepackWeights(op.w).data, check };
  };
  const oneThread = (
    backend: KernelBackend,
    impl: string,
    label: string,
    isa?: NativeIsa,
  ): CaseSpec<Int32Array> => ({
    ...base,
    impl,
    label,
    threads: 1,
    setup() {
      const { a, w, check } = operands();
      const layer = binaryLayer(backend, s, a, w, isa);
      return {
        run: () => {
          layer.run();
          return layer.result();
        },
        check,
      };
    },
  });
  const cases: CaseSpec[] = backends.map((backend) =>
    oneThread(
      backend,
      `bgemm-${backend}`,
      `@onebit/bitops binary GEMM (${backend}${backend === getBackendInfo().backend ? ", auto" : ""})`,
    ),
  );
  // The native addon's scalar kernel (64-bit popcnt, what wasm-i64's i64.popcnt compiles to) beside
  // wasm-i64: the ceiling a WebAssembly kernel without SIMD popcount can reach on this CPU.
  if (backends.includes("native") && getBackendInfo().native?.isas?.includes("scalar"))
    cases.push(
      oneThread(
        "native",
        "bgemm-native-scalar",
        "@onebit/bitops binary GEMM (native, scalar 64-bit popcnt: wasm-i64's ceiling)",
        "scalar",
      ),
    );
  if (threads >= 2) {
    for (const backend of backends.filter((b) => b === "native" || b === "wasm-i64")) {
      cases.push({
        ...base,
        impl: `bgemm-${backend}-2t`,
        label: `@onebit/bitops binary GEMM (${backend}), 2 threads over one shared memory`,
        threads: 2,
        async setup() {
          const { a, w, check } = operands();
          const layer = await twoThreadLayer(backend, s, a, w);
          return {
            run: () => {
              layer.run();
              return layer.result();
            },
            check,
            dispose: layer.close,
          };
        },
      } satisfies CaseSpec<Int32Array>);
    }
  }
  return cases;
}

/**
 * Packing M×K float activations into bits (only where a float layer feeds a binary one; binary
 * layers hand packed bits to each other): the pointer kernel of each WebAssembly backend, and the
 * allocating `packSignsMatrix`. Compare with the binary GEMM of the same M and K.
 */
export function packCases(s: Shape, backends: readonly KernelBackend[]): CaseSpec[] {
  const group = `pack ${s.m}x${s.k}`;
  const base = {
    section: "gemm",
    group,
    precision: "binary" as const,
    threads: 1,
    work: { count: s.m * s.k, unit: "sample" as const },
  };
  const values = () => binaryOperands(s).aSigns;
  const expected = (v: Float32Array) => packSignsMatrix(v, s.m, s.k, { wordMultiple: 4 }).data;
  const cases: CaseSpec<Uint32Array>[] = backends
    .filter((b) => b !== "typescript")
    .map((backend) => ({
      ...base,
      impl: `packSignsRows-${backend}`,
      label: `@onebit/bitops packSignsRows (${backend}), values → bits`,
      setup() {
        const v = values();
        const want = expected(v);
        const pack = packLayer(backend, s, v);
        return {
          run: () => {
            pack.run();
            return pack.result();
          },
          check: (got) => sameWords(got, want, "packSignsRows"),
        };
      },
    }));
  cases.push({
    ...base,
    impl: "packSignsMatrix",
    label: "@onebit/bitops packSignsMatrix (allocating)",
    baseline: true,
    setup() {
      const v = values();
      const want = expected(v);
      return {
        run: () => packSignsMatrix(v, s.m, s.k, { wordMultiple: 4 }).data,
        check: (got) => sameWords(got, want, "packSignsMatrix"),
      };
    },
  });
  return cases;
}
