// Float32 GEMM benchmark: the WebAssembly SIMD gemm of @onebit/tensor vs the TypeScript fallback
// and the naive triple loop, in GFLOP/s (2·M·N·K flops per product), one thread; then one thread vs
// all cores (enableThreads from @onebit/tensor/node), measured side by side.
// Standalone: pnpm --filter @onebit/bench exec tsx src/float-gemm.ts [--quick] [--threads-only]
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { type GemmOptions, Rng, gemm, gemmRef, getBackendInfo, setBackend } from "@onebit/tensor";
import { disableThreads, enableThreads } from "@onebit/tensor/node";

interface Shape {
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
}

const FULL_SHAPES: Shape[] = [];
for (const m of [1, 64, 256])
  for (const k of [1024, 4096]) for (const n of [1024, 4096]) FULL_SHAPES.push({ m, k, n });
const TRANSPOSED: Shape[] = [
  { m: 256, k: 1024, n: 1024, transB: true },
  { m: 256, k: 1024, n: 1024, transA: true },
  { m: 256, k: 1024, n: 1024, transA: true, transB: true },
];
const QUICK_SHAPES: Shape[] = [
  { m: 1, k: 1024, n: 1024 },
  { m: 64, k: 1024, n: 1024 },
  { m: 256, k: 1024, n: 1024 },
  { m: 256, k: 1024, n: 1024, transB: true },
];
/** Small cubes show where copying into WebAssembly memory stops paying (gemm's `auto` threshold). */
const SMALL_SIZES = [2, 4, 8, 16, 24, 32, 64];

const label = (s: Shape): string =>
  `${s.m}×${s.k}×${s.n}${s.transA || s.transB ? ` ${s.transA ? "Aᵀ" : "A"}·${s.transB ? "Bᵀ" : "B"}` : ""}`;

/**
 * Median and best wall-clock seconds per call, and the median CPU time of this process per call
 * (less sensitive to other jobs on a shared machine). Repeats until `budgetMs` is spent.
 */
function time(
  fn: () => void,
  budgetMs: number,
  minRuns: number,
): { median: number; best: number; cpuMedian: number; runs: number } {
  fn(); // warm-up (JIT, WebAssembly instantiation, memory growth)
  const samples: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < budgetMs) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
    const dc = process.cpuUsage(c0);
    cpu.push((dc.user + dc.system) / 1e6);
    if (samples.length >= 1000) break;
  }
  samples.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    median: samples[samples.length >> 1]!,
    best: samples[0]!,
    cpuMedian: cpu[cpu.length >> 1]!,
    runs: samples.length,
  };
}

/** Times a batch of calls when one call is too short for the timer. */
function timeSmall(fn: () => void, budgetMs: number): number {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    const dt = performance.now() - t0;
    if (dt > 5) break;
    reps *= 4;
  }
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 5 || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    samples.push((performance.now() - t0) / 1000 / reps);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

/** Rows of op(A) as a contiguous row-major block (to run the reference on a few rows only). */
function rowsOfOpA(a: Float32Array, s: Shape, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * s.k);
  rows.forEach((i, r) => {
    for (let p = 0; p < s.k; p++) out[r * s.k + p] = s.transA ? a[p * s.m + i]! : a[i * s.k + p]!;
  });
  return out;
}

/** Checks sampled rows of C against gemmRef (all rows when M is small). */
function verify(a: Float32Array, b: Float32Array, c: Float32Array, s: Shape): number {
  const rows = s.m <= 4 ? Array.from({ length: s.m }, (_, i) => i) : [0, s.m >> 1, s.m - 1];
  const ref = new Float32Array(rows.length * s.n);
  gemmRef(rowsOfOpA(a, s, rows), b, ref, rows.length, s.n, s.k, { transB: s.transB ?? false });
  let err = 0;
  rows.forEach((i, r) => {
    for (let j = 0; j < s.n; j++) err = Math.max(err, Math.abs(c[i * s.n + j]! - ref[r * s.n + j]!));
  });
  const tolerance = 1e-5 * Math.sqrt(s.k) * 4;
  if (!(err <= tolerance)) throw new Error(`float-gemm: ${label(s)} differs from gemmRef by ${err}`);
  return err;
}

const gflops = (s: Shape, seconds: number): number => (2 * s.m * s.n * s.k) / seconds / 1e9;
const round = (x: number): number => Math.round(x * 100) / 100;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Threads comparison: the issue's two shapes, then the MLP's training products (784–1024–…, batch 100). */
const THREAD_SHAPES: Shape[] = [
  { m: 256, k: 1024, n: 1024 },
  { m: 64, k: 4096, n: 4096 },
  { m: 100, k: 784, n: 1024 },
  { m: 100, k: 1024, n: 784, transB: true },
  { m: 1024, k: 100, n: 1024, transA: true },
];

/**
 * One thread vs `threads` threads on the same operands, alternating in rounds so that both see the
 * same background load (the machine is shared). Wall-clock and process CPU time (all threads) per
 * call: CPU-time GFLOP/s near the single-thread figure means the second core did useful work.
 */
export async function runFloatGemmThreadsBench(options: {
  quick: boolean;
  threads?: number;
}): Promise<Record<string, unknown>[]> {
  const threads = options.threads ?? availableParallelism();
  const rounds = options.quick ? 3 : 7;
  const budget = options.quick ? 150 : 400;
  const rng = new Rng(7);
  const rows: Record<string, unknown>[] = [];
  if (threads < 2 || !getBackendInfo().simd) return rows;
  for (const s of options.quick ? THREAD_SHAPES.slice(0, 2) : THREAD_SHAPES) {
    const a = rng.uniformArray(s.m * s.k, -1, 1);
    const b = rng.uniformArray(s.k * s.n, -1, 1);
    const single = new Float32Array(s.m * s.n);
    const threaded = new Float32Array(s.m * s.n);
    const opts: GemmOptions = { transA: s.transA ?? false, transB: s.transB ?? false };
    const wall: [number[], number[]] = [[], []];
    const cpu: [number[], number[]] = [[], []];
    for (let r = 0; r < rounds; r++) {
      for (const which of [0, 1] as const) {
        if (which === 1) enableThreads(threads);
        else await disableThreads();
        const c = which === 1 ? threaded : single;
        const t = time(() => gemm(a, b, c, s.m, s.n, s.k, opts), budget, 2);
        wall[which].push(t.median);
        cpu[which].push(t.cpuMedian);
      }
    }
    await disableThreads();
    let identical = true;
    for (let i = 0; i < single.length; i++) if (!Object.is(single[i], threaded[i])) identical = false;
    const w1 = median(wall[0]);
    const wT = median(wall[1]);
    rows.push({
      group: `${s.m}x${s.k}x${s.n}`,
      "M×K×N": label(s),
      backend: "wasm-simd",
      threads: `1 vs ${threads}`,
      "GFLOP/s 1 thread": round(gflops(s, w1)),
      [`GFLOP/s ${threads} threads`]: round(gflops(s, wT)),
      speedup: `${(w1 / wT).toFixed(2)}×`,
      "CPU-time GFLOP/s 1 thread": round(gflops(s, median(cpu[0]))),
      [`CPU-time GFLOP/s ${threads} threads`]: round(gflops(s, median(cpu[1]))),
      "bit-identical": identical,
    });
  }
  return rows;
}

export async function runFloatGemmBench(options: { quick: boolean }): Promise<Record<string, unknown>[]> {
  const quick = options.quick;
  const budget = quick ? 300 : 1500;
  const rng = new Rng(2024);
  const rows: Record<string, unknown>[] = [];
  const info = getBackendInfo();
  const shapes = quick ? QUICK_SHAPES : [...FULL_SHAPES, ...TRANSPOSED];
  try {
    for (const s of shapes) {
      const a = rng.uniformArray(s.m * s.k, -1, 1);
      const b = rng.uniformArray(s.k * s.n, -1, 1);
      const c = new Float32Array(s.m * s.n);
      const opts: GemmOptions = { transA: s.transA ?? false, transB: s.transB ?? false };
      setBackend("auto");
      gemm(a, b, c, s.m, s.n, s.k, opts);
      const maxError = verify(a, b, c, s);
      const fast = time(() => gemm(a, b, c, s.m, s.n, s.k, opts), budget, 3);
      setBackend("typescript");
      gemm(a, b, c, s.m, s.n, s.k, opts);
      verify(a, b, c, s);
      const ts = time(() => gemm(a, b, c, s.m, s.n, s.k, opts), budget, 1);
      // The naive loop is timed on a few rows of A (its cost per row is constant) to keep runs short.
      const naiveRows = Math.max(1, Math.min(s.m, Math.floor(8e6 / (s.n * s.k))));
      const naiveShape = { ...s, m: naiveRows };
      const aRows = rowsOfOpA(
        a,
        s,
        Array.from({ length: naiveRows }, (_, i) => i),
      );
      const cRows = new Float32Array(naiveRows * s.n);
      const naive = time(
        () => gemmRef(aRows, b, cRows, naiveRows, s.n, s.k, { transB: s.transB ?? false }),
        budget / 3,
        1,
      );
      rows.push({
        group: `${s.m}x${s.k}x${s.n}`,
        "M×K×N": label(s),
        backend: info.gemm,
        threads: 1,
        "GFLOP/s": round(gflops(s, fast.median)),
        "best GFLOP/s": round(gflops(s, fast.best)),
        "GFLOP/s by CPU time": round(gflops(s, fast.cpuMedian)),
        "median ms": round(fast.median * 1e3),
        "TS fallback GFLOP/s": round(gflops(s, ts.median)),
        "naive loop GFLOP/s": round(gflops(naiveShape, naive.median)),
        "vs naive": `${(gflops(s, fast.median) / gflops(naiveShape, naive.median)).toFixed(1)}×`,
        "max |error|": Number(maxError.toExponential(1)),
      });
    }
    if (info.simd) {
      // Crossover at small sizes: the per-call copy into WebAssembly memory vs the TypeScript loop.
      for (const size of quick ? [4, 16, 64] : SMALL_SIZES) {
        const s = { m: size, k: size, n: size };
        const a = rng.uniformArray(size * size, -1, 1);
        const b = rng.uniformArray(size * size, -1, 1);
        const c = new Float32Array(size * size);
        setBackend("wasm-simd");
        gemm(a, b, c, size, size, size);
        verify(a, b, c, s);
        const wasm = timeSmall(() => gemm(a, b, c, size, size, size), budget / 3);
        setBackend("typescript");
        const ts = timeSmall(() => gemm(a, b, c, size, size, size), budget / 3);
        rows.push({
          group: `${size}x${size}x${size}`,
          "M×K×N": `${label(s)} (small)`,
          backend: "wasm-simd (forced)",
          threads: 1,
          "GFLOP/s": round(gflops(s, wasm)),
          "median µs": round(wasm * 1e6),
          "TS fallback GFLOP/s": round(gflops(s, ts)),
          "TS median µs": round(ts * 1e6),
        });
      }
    }
  } finally {
    setBackend("auto");
  }
  rows.push(...(await runFloatGemmThreadsBench({ quick })));
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes("--quick");
  console.log(`float32 GEMM, @onebit/tensor ${JSON.stringify(getBackendInfo())}, Node.js ${process.version}`);
  // runFloatGemmBench ends with the threads comparison; --threads-only runs just that.
  if (process.argv.includes("--threads-only")) console.table(await runFloatGemmThreadsBench({ quick }));
  else console.table(await runFloatGemmBench({ quick }));
}
