// Binary GEMM kernel table: XNOR-popcount GEMM in TypeScript, WebAssembly i64.popcnt and WebAssembly
// i8x16.popcnt (weights prepacked, buffers preallocated through the pointer API, as the runtime runs
// them) against float32 GEMM (a naive TypeScript loop, and @onebit/tensor's WebAssembly SIMD GEMM
// when it is built), plus the cost of packing float activations relative to a layer at K = 4096.
// Every result is checked before it is timed; figures are medians, with the best sample beside
// them (the machine is shared, and contention only ever slows a sample down), and for the
// single-threaded WebAssembly kernels the median process CPU time per run ("cpu" columns: time
// the process was descheduled does not count; ×tensor cpu compares CPU times). Standalone:
//   pnpm --filter @onebit/bench exec tsx src/binary-gemm.ts [--quick]
// prints the table and writes bench-results/binary-gemm.json.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  BitopsHeap,
  type GemmArgs,
  type KernelBackend,
  bgemmRef,
  createKernels,
  getBackendInfo,
  kernelRowWords,
  packSignsMatrix,
  prepackWeights,
  wasmBackendSupported,
} from "@onebit/bitops";

interface Shape {
  m: number;
  k: number;
  n: number;
}

type FloatGemm = (
  a: Float32Array,
  bT: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
) => void;

const FULL_SHAPES: Shape[] = [1, 16, 64, 256].flatMap((m) => [1024, 4096].map((k) => ({ m, k, n: k })));
const QUICK_SHAPES: Shape[] = [
  { m: 1, k: 4096, n: 4096 },
  { m: 64, k: 4096, n: 4096 },
  { m: 256, k: 1024, n: 1024 },
];

/** ±1 values from a seeded xorshift (the sign is all a binary layer sees). */
function signs(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 1 ? 1 : -1;
  }
  return out;
}

/** Naive float32 GEMM, C = A·Bᵀ with B stored N×K (one weight row per output, like the binary one). */
function floatNaive(
  a: Float32Array,
  bT: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      const ai = i * k;
      const bj = j * k;
      for (let t = 0; t < k; t++) s += a[ai + t]! * bT[bj + t]!;
      c[i * n + j] = Math.fround(s);
    }
  }
}

/** @onebit/tensor's GEMM (WebAssembly SIMD where it validates), if the package is built. */
async function loadTensorGemm(): Promise<{ gemm?: FloatGemm; note: string }> {
  try {
    const specifier = "@onebit/tensor";
    const t = (await import(specifier)) as {
      gemm?: (
        a: Float32Array,
        b: Float32Array,
        c: Float32Array,
        m: number,
        n: number,
        k: number,
        o?: { transB?: boolean },
      ) => void;
      getBackendInfo?: () => { gemm?: string };
    };
    if (typeof t.gemm !== "function") return { note: "@onebit/tensor has no gemm export" };
    const gemm = t.gemm;
    return {
      gemm: (a, bT, c, m, n, k) => gemm(a, bT, c, m, n, k, { transB: true }),
      note: `@onebit/tensor gemm (${t.getBackendInfo?.().gemm ?? "backend unknown"})`,
    };
  } catch (e) {
    return {
      note: `@onebit/tensor not available (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`,
    };
  }
}

/** Fastest sample of the last timeIt call (under contention from other processes, closer to the kernel's own speed). */
let lastBest = 0;
/**
 * Median process CPU seconds per run in the last timeIt call: on a shared machine, time this
 * process was not scheduled does not count (meaningful for single-threaded runs only).
 */
let lastCpu = 0;

/** Median seconds per run of `run` after warm-up; `budgetMs` bounds the sampling time. */
function timeIt(run: () => void, budgetMs: number, minSamples: number): number {
  let t0 = performance.now();
  run();
  const first = performance.now() - t0;
  // Warm-up: lets V8 tier the WebAssembly and JS up to its optimizing compiler.
  const warmEnd = performance.now() + Math.min(budgetMs / 3, Math.max(first * 3, 30));
  while (performance.now() < warmEnd) run();
  const reps = first < 2 ? Math.ceil(2 / Math.max(first, 0.001)) : 1;
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  const end = performance.now() + budgetMs;
  while (samples.length < minSamples || (performance.now() < end && samples.length < 200)) {
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    for (let r = 0; r < reps; r++) run();
    samples.push((performance.now() - t0) / reps / 1000);
    const cpu = process.cpuUsage(cpu0);
    cpuSamples.push((cpu.user + cpu.system) / reps / 1e6);
    if (samples.length >= 3 && performance.now() > end + budgetMs * 4) break;
  }
  samples.sort((x, y) => x - y);
  cpuSamples.sort((x, y) => x - y);
  lastBest = samples[0]!;
  lastCpu = cpuSamples[cpuSamples.length >> 1]!;
  return samples[samples.length >> 1]!;
}

function sameInts(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} results, ${want.length} expected`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Error(`${what}: result ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

/** One binary backend over its own memory, the way a runtime lays a layer out: once. */
function binaryLayer(backend: KernelBackend, s: Shape, aBits: Uint32Array, wData: Uint32Array) {
  const kernels = createKernels({ backend });
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
    result: () => heap.i32(out, s.m * s.n).slice(),
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
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
import(workerData.url).then(({ createKernels }) => {
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
    result: () => heap.i32(out, s.m * s.n).slice(),
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
    result: () => heap.u32(out, s.m * kWords).slice(),
  };
}

export async function runBinaryGemmBench(options: { quick: boolean }): Promise<Record<string, unknown>[]> {
  const shapes = options.quick ? QUICK_SHAPES : FULL_SHAPES;
  const budgetMs = options.quick ? 150 : 600;
  const tensor = await loadTensorGemm();
  const backends: KernelBackend[] = ["typescript", "wasm-i64"];
  if (wasmBackendSupported("wasm-simd")) backends.push("wasm-simd");
  const rows: Record<string, unknown>[] = [];

  for (const s of shapes) {
    const macs = s.m * s.n * s.k;
    const aF = signs(s.m * s.k, s.m * 7 + s.k);
    const wF = signs(s.n * s.k, s.n * 13 + s.k + 1);
    const A = packSignsMatrix(aF, s.m, s.k, { wordMultiple: 4 });
    const W = packSignsMatrix(wF, s.n, s.k);
    const expected = bgemmRef(A, W);
    const pw = prepackWeights(W);
    const row: Record<string, unknown> = { shape: `${s.m}×${s.k}×${s.n}`, M: s.m, K: s.k, N: s.n };

    // float32 naive TypeScript: timed on at most 4 rows (it is the slow baseline), checked on those.
    const fm = Math.min(s.m, 4);
    const cNaive = new Float32Array(fm * s.n);
    floatNaive(aF, wF, cNaive, fm, s.n, s.k);
    sameInts(cNaive, expected.subarray(0, fm * s.n), "float32 naive");
    const naiveSec = timeIt(() => floatNaive(aF, wF, cNaive, fm, s.n, s.k), budgetMs, 3) * (s.m / fm);
    row["float32 naive TS GFLOP/s"] = round((2 * macs) / naiveSec / 1e9);

    let tensorSec: number | undefined;
    let tensorCpu: number | undefined;
    if (tensor.gemm) {
      const c = new Float32Array(s.m * s.n);
      tensor.gemm(aF, wF, c, s.m, s.n, s.k);
      sameInts(c, expected, "float32 @onebit/tensor");
      tensorSec = timeIt(() => tensor.gemm!(aF, wF, c, s.m, s.n, s.k), budgetMs, 3);
      tensorCpu = lastCpu;
      row["float32 tensor GFLOP/s"] = round((2 * macs) / tensorSec / 1e9);
    }

    for (const backend of backends) {
      const layer = binaryLayer(backend, s, A.data, pw.data);
      layer.run();
      sameInts(layer.result(), expected, `binary ${backend}`);
      const sec = timeIt(layer.run, backend === "typescript" ? budgetMs / 2 : budgetMs, 5);
      row[`${backend} ms`] = round(sec * 1e3);
      row[`${backend} G bMAC/s`] = round(macs / sec / 1e9);
      row[`${backend} best G bMAC/s`] = round(macs / lastBest / 1e9);
      if (backend !== "typescript") {
        const cpu = lastCpu;
        row[`${backend} cpu G bMAC/s`] = round(macs / cpu / 1e9);
        row[`${backend} ×naive`] = round(naiveSec / sec);
        if (tensorSec !== undefined) row[`${backend} ×tensor`] = round(tensorSec / sec);
        if (tensorCpu !== undefined) row[`${backend} ×tensor cpu`] = round(tensorCpu / cpu);
      }
    }

    // Two threads (the runtimes' form: row or column ranges over one shared memory) on the scalar kernel.
    const threaded = await twoThreadLayer("wasm-i64", s, A.data, pw.data);
    try {
      threaded.run();
      sameInts(threaded.result(), expected, "binary wasm-i64 × 2 threads");
      const sec = timeIt(threaded.run, budgetMs, 5);
      row["wasm-i64 2 threads ms"] = round(sec * 1e3);
      row["wasm-i64 2 threads G bMAC/s"] = round(macs / sec / 1e9);
      row["wasm-i64 2 threads best G bMAC/s"] = round(macs / lastBest / 1e9);
    } finally {
      await threaded.close();
    }

    if (s.k === 4096) {
      // Packing float activations into bits (only where a float layer feeds a binary one; binary
      // layers hand packed bits to each other) against this layer's best binary time: with the
      // pointer kernel the runtime uses, and with the allocating packSignsMatrix.
      const best = Math.min(
        ...backends.filter((b) => b !== "typescript").map((b) => Number(row[`${b} ms`]) / 1e3),
      );
      for (const backend of backends.filter((b) => b !== "typescript")) {
        const pack = packLayer(backend, s, aF);
        pack.run();
        sameInts(pack.result(), A.data, `packSignsRows ${backend}`);
        const sec = timeIt(pack.run, budgetMs / 3, 5);
        row[`pack ${backend} % of layer`] = round((100 * sec) / best);
      }
      const packSec = timeIt(() => packSignsMatrix(aF, s.m, s.k, { wordMultiple: 4 }), budgetMs / 3, 5);
      row["packSignsMatrix % of layer"] = round((100 * packSec) / best);
    }
    rows.push(row);
    process.stderr.write(`binary-gemm: ${row.shape} done\n`);
  }
  rows.push({
    shape: "notes",
    auto: getBackendInfo().backend,
    reason: getBackendInfo().reason,
    tensor: tensor.note,
    cpu: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
  });
  return rows;
}

function round(x: number): number {
  return Number(x >= 100 ? x.toFixed(0) : x.toPrecision(3));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  const rows = await runBinaryGemmBench({ quick });
  console.table(rows.filter((r) => r.shape !== "notes"));
  console.log(rows.find((r) => r.shape === "notes"));
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "binary-gemm.json");
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), quick, rows }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
