// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packBitTensor, writeModel } from "@onebit/format";
import { InferenceSession } from "@onebit/runtime-node";

// A 16-input 8-bit model: bit-plane layer → binary layer → 2 logits, run on 2 worker threads.
const signs = (n, seed) =>
  Float32Array.from({ length: n }, (_, i) => (((i * 7 + seed) * 2654435761) >>> 31 ? 1 : -1));
const model = {
  graph: {
    nodes: [
      { op: "input", name: "x", dtype: "uint8", shape: [16] },
      { op: "denseBitPlane", name: "fc", weights: "w0", output: { kind: "bits", thresholds: "t0" } },
      { op: "binaryDense", name: "out", weights: "w1", output: { kind: "scaleBias", scale: "s", bias: "b" } },
    ],
  },
  tensors: new Map([
    ["w0", packBitTensor(signs(64 * 16, 1), [64, 16])],
    ["t0", { dtype: "int32", shape: [64], data: new Int32Array(64) }],
    ["w1", packBitTensor(signs(2 * 64, 2), [2, 64])],
    ["s", { dtype: "float32", shape: [2], data: Float32Array.from([1, 1]) }],
    ["b", { dtype: "float32", shape: [2], data: new Float32Array(2) }],
  ]),
  metadata: { name: "smoke", labels: ["a", "b"] },
};
const dir = mkdtempSync(join(tmpdir(), "onebit-smoke-"));
const file = join(dir, "smoke.onebit");
writeFileSync(file, writeModel(model));
const input = Uint8Array.from({ length: 16 * 100 }, (_, i) => (i * 37) % 256);
const one = await InferenceSession.create(file, { threads: 1 });
const two = await InferenceSession.create(file, {
  threads: 2,
  parallelThresholdNs: Number.NEGATIVE_INFINITY,
});
const [a, b] = await Promise.all([one.run(input), two.run(input)]);
if (a.logits.join() !== b.logits.join()) throw new Error("1 and 2 threads disagree");
await Promise.all([one.dispose(), two.dispose()]);
const out = execFileSync("npx", ["--no-install", "onebit", "inspect", file], { encoding: "utf8" });
if (!out.includes("bitPlaneDense")) throw new Error(`onebit inspect printed:\n${out}`);
// A damaged model: exit code 1 and one line naming the file and the code, no stack trace.
const damaged = join(dir, "damaged.onebit");
writeFileSync(damaged, writeModel(model).subarray(0, 40));
// The installed bin itself: npx would add npm's own warnings to stderr.
const bin = join(process.cwd(), "node_modules", ".bin", "onebit");
const bad = spawnSync(bin, ["inspect", damaged], { encoding: "utf8" });
rmSync(dir, { recursive: true, force: true });
if (bad.status !== 1 || !/^onebit: \S*damaged\.onebit: .* \[INVALID_MODEL\]\n$/.test(bad.stderr))
  throw new Error(`onebit inspect on a damaged model: exit ${bad.status}, stderr:\n${bad.stderr}`);
console.log("@onebit/runtime-node smoke: ok");
