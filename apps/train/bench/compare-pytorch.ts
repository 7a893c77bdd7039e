// Training throughput of apps/train's presets in onebit and, where `python3 -c "import torch"` works,
// of the same networks in PyTorch on the same CPU, side by side in one run (rounds alternate the
// contenders, medians reported). Optional, not part of `pnpm test`. Debian: apt-get install
// python3-torch libopenblas0-pthread (without OpenBLAS, Debian's torch multiplies on the reference BLAS).
//
//   pnpm --filter @onebit/train run compare-pytorch -- [--networks mnist-tiny,mnist-mlp,mnist-conv@0.5,mnist-conv]
//     [--threads N] [--seconds S] [--rounds R] [--python PATH] [--baseline]
//
// Every contender trains batch 100 of synthetic MNIST-shaped data with Adam for S seconds of process
// CPU time (a CPU budget, not a wall-clock one: the machine may be shared), after warm-up steps.
// Images per second are given per wall-clock second and per CPU second; on a busy machine only the
// second compares fairly. --baseline adds onebit as it trained before its native training kernels
// (native GEMM on one thread; float convolution forward; WebAssembly/TypeScript passes).
import { execFileSync, spawnSync } from "node:child_process";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { type NativeTrainStatus, Rng, registerNativeTrainKernels } from "@onebit/tensor";
import { disableThreads, enableThreads, getBackendInfo } from "@onebit/tensor/node";
import { adam, Conv2d, type Model } from "@onebit/nn";
import { PRESETS, type PresetName } from "../src/presets.js";

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const threads = Number(option("threads") ?? availableParallelism());
const seconds = Number(option("seconds") ?? 4);
const rounds = Number(option("rounds") ?? 3);
const withBaseline = args.includes("--baseline");
const networks = (option("networks") ?? "mnist-tiny,mnist-mlp,mnist-conv@0.5,mnist-conv")
  .split(",")
  .map((spec) => {
    const [name, width = "1"] = spec.split("@");
    if (!(name! in PRESETS))
      throw new Error(`unknown network ${name} (presets: ${Object.keys(PRESETS).join(", ")})`);
    return { spec, preset: name as PresetName, width: Number(width) };
  });
const BATCH = 100;

interface Timing {
  steps: number;
  wall: number;
  cpu: number;
}

function findPython(): string | undefined {
  const given = option("python");
  for (const python of given ? [given] : ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(python, ["-c", "import torch"], { stdio: "ignore" });
      return python;
    } catch {}
  }
  return undefined;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Trains `model` on synthetic data until `seconds` of process CPU time have passed (≥ 3 steps). */
function timeOnebit(model: Model): Timing {
  const rng = new Rng(3);
  const x = rng.uniformArray(BATCH * 784, -1, 1);
  const y = Int32Array.from({ length: BATCH }, () => rng.int(10));
  const optimizer = adam({ learningRate: 1e-3 });
  for (let i = 0; i < 2; i++) model.trainStep(x, y, BATCH, optimizer, rng);
  const wall0 = performance.now();
  const cpu0 = cpuSeconds();
  let steps = 0;
  while (cpuSeconds() - cpu0 < seconds || steps < 3) {
    model.trainStep(x, y, BATCH, optimizer, rng);
    steps++;
  }
  return { steps, wall: (performance.now() - wall0) / 1000, cpu: cpuSeconds() - cpu0 };
}

function onebit(preset: PresetName, width: number): Timing {
  return timeOnebit(PRESETS[preset].build(1, width));
}

/** onebit before its native training kernels: no float training kernels, float conv forward, one thread. */
async function baseline(preset: PresetName, width: number): Promise<Timing> {
  const status = registered;
  await disableThreads();
  registerNativeTrainKernels(null);
  try {
    const model = PRESETS[preset].build(1, width);
    for (const layer of model.layers)
      if (layer instanceof Conv2d) (layer as unknown as { xnor: undefined }).xnor = undefined;
    return timeOnebit(model);
  } finally {
    registerNativeTrainKernels(status);
    enableThreads(threads);
  }
}

function pytorch(python: string, preset: PresetName, width: number): Timing {
  const script = join(import.meta.dirname, "pytorch_train.py");
  const r = spawnSync(python, [script, preset, String(width), String(threads), String(seconds)], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`PyTorch run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Timing;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rate = (t: Timing[], key: "wall" | "cpu") => median(t.map((r) => (r.steps * BATCH) / r[key]));

const registered = ((globalThis as Record<symbol, unknown>)[Symbol.for("@onebit/tensor:native-train")] ??
  null) as NativeTrainStatus | null;
const python = findPython();
enableThreads(threads);
console.log(
  `CPU ${cpus()[0]?.model} × ${availableParallelism()}, load average ${loadavg()[0]!.toFixed(1)} at start`,
);
console.log(`onebit backend ${JSON.stringify(getBackendInfo())}`);
console.log(
  `${threads} thread(s), batch ${BATCH}, Adam, ${seconds} CPU-s per contender and round, ${rounds} rounds (medians)` +
    (python
      ? `, PyTorch via ${python}`
      : `; PyTorch not found (python3 -c "import torch" failed): onebit only`),
);
const rows: string[][] = [];
for (const { spec, preset, width } of networks) {
  const results: Record<string, Timing[]> = { onebit: [], pytorch: [], baseline: [] };
  for (let round = 0; round < rounds; round++) {
    results.onebit!.push(onebit(preset, width));
    if (python) results.pytorch!.push(pytorch(python, preset, width));
    if (withBaseline) results.baseline!.push(await baseline(preset, width));
  }
  const cell = (t: Timing[]) =>
    t.length ? `${Math.round(rate(t, "wall"))} / ${Math.round(rate(t, "cpu"))}` : "–";
  const ratio = (key: "wall" | "cpu") =>
    python ? `${(rate(results.onebit!, key) / rate(results.pytorch!, key)).toFixed(2)}×` : "–";
  rows.push([
    spec,
    cell(results.onebit!),
    cell(results.pytorch!),
    `${ratio("wall")} / ${ratio("cpu")}`,
    ...(withBaseline ? [cell(results.baseline!)] : []),
  ]);
  console.log(`  ${spec}: done (load average ${loadavg()[0]!.toFixed(1)})`);
}
const header = ["network", "onebit img/s (wall / CPU)", "PyTorch img/s (wall / CPU)", "ratio (wall / CPU)"];
if (withBaseline) header.push("onebit before (wall / CPU)");
console.log(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
await disableThreads();
