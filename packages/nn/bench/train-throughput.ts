// Training throughput of the MNIST MLP 784–3×1024–10 (all hidden layers binary) and a small binary
// ConvNet on synthetic MNIST-shaped data. Run: pnpm --filter @onebit/nn bench [-- --samples N]
import { getBackendInfo, Rng } from "@onebit/tensor";
import { enableThreads } from "@onebit/tensor/node";
import {
  adam,
  batchNorm,
  binaryConv2d,
  binaryDense,
  cosineDecay,
  dense,
  flatten,
  maxPool2d,
  type Sequential,
  sequential,
  sign,
} from "../src/index.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const samples = arg("samples", 6000);
const convSamples = arg("conv-samples", 1000);
const batchSize = 100;
// GEMM threads of @onebit/tensor (1: the calling thread only).
if (arg("threads", 1) > 1) enableThreads(arg("threads", 1));

function syntheticMnist(n: number, seed: number) {
  const rng = new Rng(seed);
  return { x: rng.uniformArray(n * 784, -1, 1), y: Int32Array.from({ length: n }, () => rng.int(10)) };
}

export function mnistMlp(seed = 0): Sequential {
  return sequential(
    [
      binaryDense(1024),
      batchNorm(),
      binaryDense(1024, { inputQuantizer: "steSign" }),
      batchNorm(),
      binaryDense(1024, { inputQuantizer: "steSign" }),
      batchNorm(),
      binaryDense(10, { inputQuantizer: "steSign" }),
      batchNorm(),
    ],
    { inputShape: [784], seed },
  );
}

function smallConvNet(seed = 0): Sequential {
  return sequential(
    [
      binaryConv2d(32, 3, { padding: "same" }),
      batchNorm(),
      maxPool2d(),
      binaryConv2d(64, 3, { padding: "same", inputQuantizer: "steSign" }),
      batchNorm(),
      maxPool2d(),
      flatten(),
      binaryDense(256, { inputQuantizer: "steSign" }),
      batchNorm(),
      sign(),
      dense(10),
    ],
    { inputShape: [28, 28, 1], seed },
  );
}

async function measure(name: string, model: Sequential, n: number, flopsPerSample: number) {
  const data = syntheticMnist(n, 1);
  // CPU time of this process too: the 2 cores are shared, and samples per CPU-second estimate
  // what an unloaded core would do.
  const cpu0 = process.cpuUsage();
  const history = await model.fit(
    { x: data.x, y: data.y },
    {
      epochs: 1,
      batchSize,
      optimizer: adam({ learningRate: 3e-3 }),
      schedule: cosineDecay({ initial: 3e-3 }),
      verbose: 0,
    },
  );
  const cpu = process.cpuUsage(cpu0);
  const e = history.epochs[0]!;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perCpuSecond = n / cpuSeconds;
  const describe = (rate: number) =>
    `${Math.round(rate)} samples/s (${((rate * flopsPerSample) / 1e9).toFixed(1)} GFLOP/s; 60 000-sample epoch ${(60000 / rate).toFixed(1)} s, 20 epochs ${((20 * 60000) / rate / 60).toFixed(1)} min)`;
  console.log(`${name}, ${n} samples:`);
  console.log(`  wall clock  ${e.seconds.toFixed(2)} s → ${describe(e.samplesPerSecond)}`);
  console.log(`  CPU time    ${cpuSeconds.toFixed(2)} s → ${describe(perCpuSecond)}`);
}

console.log(`backend: ${JSON.stringify(getBackendInfo())}, batch ${batchSize}`);
// Forward + the two gradient products: 3 GEMMs of 2·MACs each (the first layer skips ∂x).
const mlpMacs = 784 * 1024 + 2 * 1024 * 1024 + 1024 * 10;
await measure("MLP 784–3×1024–10", mnistMlp(), samples, 2 * (3 * mlpMacs - 784 * 1024));
const convMacs = 28 * 28 * 9 * 32 + 14 * 14 * 9 * 32 * 64 + 7 * 7 * 64 * 256 + 2560;
await measure("ConvNet 32C3-MP-64C3-MP-256-10", smallConvNet(), convSamples, 2 * 3 * convMacs);
