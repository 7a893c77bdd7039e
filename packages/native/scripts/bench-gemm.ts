// Binary GEMM throughput, native ISAs vs the WebAssembly kernels, measured side by side in one run:
// `pnpm --filter @onebit/native bench [--reps 9] [--shapes 64x4096x4096,1x4096x4096] [--stat best]`.
// Prints the median (or, with --stat best, the fastest: useful on a shared, noisy machine) G
// binary-MAC/s of each kernel per shape, and the CPU.
import {
  BitopsHeap,
  type KernelBackend,
  type NativeIsa,
  createKernels,
  kernelRowWords,
  wasmBackendSupported,
} from "@onebit/bitops";
import { registerNativeBackend } from "../src/index.js";

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const reps = Number(flag("reps", "9"));
const shapes = flag("shapes", "64x4096x4096,16x4096x4096,1x4096x4096")
  .split(",")
  .map((s) => s.split("x").map(Number) as [number, number, number]);

const status = registerNativeBackend();
const candidates: { name: string; backend: KernelBackend; isa?: NativeIsa }[] = [
  ...(status.isas ?? []).map((isa) => ({ name: `native-${isa}`, backend: "native" as const, isa })),
  { name: "wasm-i64", backend: "wasm-i64" },
  ...(wasmBackendSupported("wasm-simd") ? [{ name: "wasm-simd", backend: "wasm-simd" as const }] : []),
];

const best = flag("stat", "median") === "best";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[best ? 0 : xs.length >> 1]!;
console.log(
  `CPU: ${status.cpu ?? "unknown"}; native: ${status.reason}; Node ${process.version}; ${reps} reps, interleaved`,
);
for (const [m, n, k] of shapes) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = new BitopsHeap(memory);
  const kWords = kernelRowWords(k);
  const a = heap.alloc(m * kWords * 4);
  const w = heap.alloc(Math.ceil(n / 4) * kWords * 16);
  const out = heap.alloc(m * n * 4);
  const words = heap.u32(a, (w - a) / 4 + Math.ceil(n / 4) * kWords * 4);
  for (let i = 0; i < words.length; i++) words[i] = (Math.random() * 2 ** 32) >>> 0;
  const args = {
    mode: "dot" as const,
    a,
    aStride: kWords * 4,
    w,
    n,
    k,
    kWords,
    out,
    outStride: n * 4,
    p0: 0,
    p1: 0,
  };
  const kernels = candidates.map((c) =>
    createKernels({ backend: c.backend, memory, ...(c.isa ? { isa: c.isa } : {}) }),
  );
  const macs = m * n * k;
  // Calls per timing so each reading is ≥ ~20 ms; warm-up first.
  const calls = kernels.map((kern) => {
    const t0 = performance.now();
    kern.gemmRows(args, 0, m);
    const once = Math.max(performance.now() - t0, 0.001);
    return Math.max(1, Math.ceil(20 / once));
  });
  const times: number[][] = kernels.map(() => []);
  for (let r = 0; r < reps; r++) {
    kernels.forEach((kern, i) => {
      const t0 = performance.now();
      for (let c = 0; c < calls[i]!; c++) kern.gemmRows(args, 0, m);
      times[i]!.push((performance.now() - t0) / calls[i]!);
    });
  }
  const rows = candidates.map((c, i) => ({
    kernel: c.name,
    ms: median(times[i]!),
    gmacs: macs / median(times[i]!) / 1e6,
  }));
  const wasm = rows.find((r) => r.kernel === "wasm-i64")!;
  console.log(`\n${m}×${n}×${k}`);
  for (const r of rows)
    console.log(
      `  ${r.kernel.padEnd(14)} ${r.ms.toFixed(3).padStart(9)} ms  ${r.gmacs.toFixed(0).padStart(6)} G binary-MAC/s  ${(wasm.ms / r.ms).toFixed(1).padStart(5)}× wasm-i64`,
    );
}
