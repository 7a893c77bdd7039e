// Float GEMM and convolution speed: @onebit/native's float GEMM (each ISA this CPU runs) against
// @onebit/tensor's WebAssembly SIMD GEMM, interleaved in one process, median and best of N runs.
// In-repository only (it imports @onebit/tensor's build by path: @onebit/tensor depends on this
// package). Run: pnpm --filter @onebit/tensor build && pnpm --filter @onebit/native bench:float [-- --runs N]
import { cpus } from "node:os";
import { type NativeFloatGemmStatus, loadNativeFloatGemm } from "../src/index.js";

interface Conv2dParams {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padding: "same" | "valid";
  padValue: number;
}
/** The parts of @onebit/tensor this uses, loaded from its build by path (it is not a dependency). */
interface Tensor {
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, o?: object): void;
  conv2d(input: Float32Array, weights: Float32Array, p: Conv2dParams, out?: Float32Array): Float32Array;
  conv2dBackward(input: Float32Array, weights: Float32Array, gradOut: Float32Array, p: Conv2dParams): unknown;
  getBackendInfo(): unknown;
  setBackend(name: string): void;
  registerNativeGemm(status: NativeFloatGemmStatus): void;
  enableThreads(count: number): number;
}
const dist = new URL("../../tensor/dist/", import.meta.url);
const tensorPath = new URL("index.js", dist).href;
const nodePath = new URL("node.js", dist).href;
const { gemm, conv2d, conv2dBackward, getBackendInfo, setBackend } = (await import(tensorPath)) as Tensor;
const { registerNativeGemm, enableThreads } = (await import(nodePath)) as Tensor;

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 7;
const best = loadNativeFloatGemm();
if (!best.gemm) throw new Error(best.error);
const isas = best.gemm.isas.filter((isa) => isa !== "scalar");

interface Contender {
  setup(): void;
  run(): void;
}

/** Seconds of each contender over `runs` interleaved rounds (its setup outside the timing). */
function measure(contenders: Record<string, Contender>): Record<string, number[]> {
  const times: Record<string, number[]> = {};
  for (const [name, c] of Object.entries(contenders)) {
    c.setup();
    c.run(); // warm-up
    times[name] = [];
  }
  for (let r = 0; r < runs; r++) {
    for (const [name, c] of Object.entries(contenders)) {
      c.setup();
      const t = performance.now();
      c.run();
      times[name]!.push((performance.now() - t) / 1000);
    }
  }
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const min = (xs: number[]) => Math.min(...xs);

// Loaded once: loading reads process.report (tens of ms), which must stay out of the timings.
const statuses = Object.fromEntries(isas.map((isa) => [isa, loadNativeFloatGemm({ isa })]));

/** `body` on the WebAssembly GEMM, or on the native one of an ISA ("avx512", or "avx512 2t" on 2 threads). */
function on(backend: string, body: () => void): Contender {
  const [isa, threads] = backend.split(" ");
  return {
    setup: () => {
      enableThreads(threads === "2t" ? 2 : 1);
      if (isa === "wasm-simd") setBackend("wasm-simd");
      else {
        registerNativeGemm(statuses[isa!]!);
        setBackend("native");
      }
    },
    run: body,
  };
}

function row(label: string, flops: number, times: Record<string, number[]>): string {
  const cells = Object.entries(times).map(([name, t]) => {
    const g = (s: number) => (flops / s / 1e9).toFixed(1);
    return `${name} ${g(median(t))} (best ${g(min(t))})`;
  });
  const ratio = median(times[isas[0]!]!) > 0 ? median(times["wasm-simd"]!) / median(times[isas[0]!]!) : 0;
  return `| ${label} | ${cells.join(" | ")} | ${ratio.toFixed(1)}× |`;
}

console.log(
  `CPU: ${cpus()[0]?.model} (${cpus().length} vCPUs), Node ${process.version}, ${runs} interleaved runs`,
);
console.log(`GFLOP/s, median (best); last column: ${isas[0]} median / wasm-simd median`);
const backends = [...isas, `${isas[0]} 2t`, "wasm-simd"];
const rand = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) % 1);
for (const [m, n, k, transA, transB] of [
  [256, 1024, 1024, false, false],
  [256, 1024, 1024, false, true],
  [256, 1024, 1024, true, false],
  [64, 4096, 4096, false, false],
] as const) {
  const a = rand(m * k);
  const b = rand(k * n);
  const c = new Float32Array(m * n);
  const times = measure(
    Object.fromEntries(backends.map((be) => [be, on(be, () => gemm(a, b, c, m, n, k, { transA, transB }))])),
  );
  const op = transA ? "Aᵀ·B" : transB ? "A·Bᵀ" : "A·B";
  console.log(row(`gemm ${m}×${n}×${k} ${op}`, 2 * m * n * k, times));
}
// The convolutions of mnist-conv at --width 0.5 (32/64 channels), batch 100, 3×3 'same'.
const convs: [string, Conv2dParams][] = [
  [
    "conv 28×28 1→32",
    {
      batch: 100,
      inH: 28,
      inW: 28,
      inC: 1,
      outC: 32,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padding: "same",
      padValue: -1,
    },
  ],
  [
    "conv 28×28 32→32",
    {
      batch: 100,
      inH: 28,
      inW: 28,
      inC: 32,
      outC: 32,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padding: "same",
      padValue: 1,
    },
  ],
  [
    "conv 14×14 32→64",
    {
      batch: 100,
      inH: 14,
      inW: 14,
      inC: 32,
      outC: 64,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padding: "same",
      padValue: 1,
    },
  ],
  [
    "conv 14×14 64→64",
    {
      batch: 100,
      inH: 14,
      inW: 14,
      inC: 64,
      outC: 64,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padding: "same",
      padValue: 1,
    },
  ],
];
for (const [label, p] of convs) {
  const input = rand(p.batch * p.inH * p.inW * p.inC);
  const weights = rand(9 * p.inC * p.outC);
  const out = conv2d(input, weights, p);
  const macs = out.length * 9 * p.inC;
  const fwd = measure(
    Object.fromEntries(backends.map((be) => [be, on(be, () => conv2d(input, weights, p, out))])),
  );
  console.log(row(`${label} forward`, 2 * macs, fwd));
  const bwd = measure(
    Object.fromEntries(backends.map((be) => [be, on(be, () => conv2dBackward(input, weights, out, p))])),
  );
  console.log(row(`${label} backward`, 4 * macs, bwd));
}
enableThreads(1);
setBackend("auto");
registerNativeGemm(best);
console.log(`backend info after: ${JSON.stringify(getBackendInfo())}`);
