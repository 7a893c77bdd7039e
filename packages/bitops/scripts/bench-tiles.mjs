#!/usr/bin/env node
// Times every WebAssembly binary GEMM tile side by side in one process, interleaved round by round:
// `node scripts/bench-tiles.mjs [--reps 25] [--shape 64x4096x4096] [--native]` after `pnpm build`.
// Prints G binary-MAC/s from wall time and from process CPU time, best and median of the rounds:
// on a shared machine the CPU-time figures swing far less than the wall-clock ones.
// --native adds the native addon's kernels (built @onebit/native in this repository) to the same
// rounds — its "scalar" ISA is the C loop with the same 1×4 tile and 64-bit POPCNT, the reference
// issue 19's "≥ 95 % of native scalar" is measured against — and prints each tile's ratio to it.
import {
  BitopsHeap,
  GEMM_TILES,
  createKernels,
  getBackendInfo,
  kernelRowWords,
  packSignsMatrix,
  prepackWeights,
  wasmBackendSupported,
} from "../dist/index.node.js";

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const reps = Number(flag("reps", "25"));
const [m, n, k] = flag("shape", "64x4096x4096").split("x").map(Number);

const memory = new WebAssembly.Memory({ initial: 1 });
const heap = new BitopsHeap(memory);
const kWords = kernelRowWords(k);
const rand = (len) => Float32Array.from({ length: len }, () => Math.random() - 0.5);
const A = packSignsMatrix(rand(m * k), m, k, { wordMultiple: 4 });
const W = prepackWeights(packSignsMatrix(rand(n * k), n, k));
const a = heap.alloc(A.data.byteLength);
const w = heap.alloc(W.data.byteLength);
const out = heap.alloc(m * n * 4);
heap.u32(a, A.data.length).set(A.data);
heap.u32(w, W.data.length).set(W.data);
const args = { mode: "dot", a, aStride: kWords * 4, w, n, k, kWords, out, outStride: n * 4, p0: 0, p1: 0 };

// The autotuner's choice on WebAssembly (before --native makes "native" the running backend).
const info = getBackendInfo();
const tiles = GEMM_TILES.filter((t) => wasmBackendSupported(t.backend));
const kernels = tiles.map((t) => createKernels({ backend: t.backend, memory, tile: t.tile }));
if (argv.includes("--native")) {
  // A bench script of the monorepo: the sibling package's build, not a dependency of bitops.
  await import(new URL("../../native/dist/register.js", import.meta.url).href);
  const native = getBackendInfo().native;
  if (!native?.available) throw new Error(`--native: ${native?.reason ?? "no native backend"}`);
  for (const isa of native.isas) {
    tiles.push({ backend: "native", tile: isa });
    kernels.push(createKernels({ backend: "native", memory, isa }));
  }
}
let reference;
for (const [i, kern] of kernels.entries()) {
  kern.gemmRows(args, 0, m);
  const got = heap.i32(out, m * n).slice();
  reference ??= got;
  if (got.some((v, j) => v !== reference[j])) throw new Error(`${tiles[i].tile} disagrees`);
}
// Calls per reading so each reading is ≥ ~40 ms.
const calls = kernels.map((kern) => {
  const t0 = performance.now();
  kern.gemmRows(args, 0, m);
  return Math.max(1, Math.ceil(40 / Math.max(performance.now() - t0, 0.01)));
});
const wall = kernels.map(() => []);
const cpu = kernels.map(() => []);
for (let r = 0; r < reps; r++) {
  kernels.forEach((kern, i) => {
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    for (let c = 0; c < calls[i]; c++) kern.gemmRows(args, 0, m);
    const u = process.cpuUsage(u0);
    wall[i].push((performance.now() - t0) / calls[i]);
    cpu[i].push((u.user + u.system) / 1000 / calls[i]);
  });
}
const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const g = (ms) => ((m * n * k) / ms / 1e6).toFixed(0).padStart(6);
console.log(`${m}×${n}×${k}, ${reps} interleaved rounds; autotuner here: ${info.gemmTuning?.reason}`);
const scalar = tiles.findIndex((t) => t.backend === "native" && t.tile === "scalar");
console.log(
  `tile                   G binary-MAC/s:  wall best  wall median   cpu best  cpu median${scalar >= 0 ? "  cpu vs native scalar" : ""}`,
);
tiles.forEach((t, i) => {
  const name = `${t.backend} ${t.tile}`.padEnd(38);
  // Per-round ratio to the native scalar loop's reading of the same round, then the median.
  const ratio =
    scalar >= 0
      ? `  ${(median(cpu[i].map((c, r) => cpu[scalar][r] / c)) * 100).toFixed(1).padStart(6)} %`
      : "";
  console.log(
    `${name}${g(Math.min(...wall[i]))}  ${g(median(wall[i]))}     ${g(Math.min(...cpu[i]))}  ${g(median(cpu[i]))}${ratio}`,
  );
});
