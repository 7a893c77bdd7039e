import { Rng } from "@onebit/tensor";
import { adam, batchNorm, binaryDense, sequential } from "./src/index.js";
const model = sequential(
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
  { inputShape: [784], seed: 0 },
);
const rng = new Rng(1);
const n = 1500;
const x = rng.uniformArray(n * 784, -1, 1),
  y = Int32Array.from({ length: n }, () => rng.int(10));
const opt = adam();
const xb = x.subarray(0, 100 * 784),
  yb = y.subarray(0, 100);
for (let i = 0; i < 3; i++) model.trainStep(xb, yb, 100, opt, rng);
const T: Record<string, number> = {};
const t = (k: string, f: () => void) => {
  const s = performance.now();
  f();
  T[k] = (T[k] ?? 0) + performance.now() - s;
};
for (let it = 0; it < 10; it++) {
  let out!: Float32Array;
  t("forward", () => {
    out = model.forward(xb, 100, true, rng);
  });
  const grad = new Float32Array(1000);
  t("loss", () => {
    for (let i = 0; i < 1000; i++) grad[i] = out[i]! * 0.001;
  });
  t("backward", () => model.backward(grad, 100));
  t("adam", () => opt.step(model.params()));
  t("clip", () => {
    for (const p of model.params()) p.constraint?.apply(p.value);
  });
}
for (const [k, v] of Object.entries(T)) console.log(k, (v / 10).toFixed(1), "ms/batch");
import { gemm } from "@onebit/tensor";
{
  const a = rng.uniformArray(100 * 1024, -1, 1),
    b = rng.uniformArray(1024 * 1024, -1, 1),
    c = new Float32Array(100 * 1024);
  const s = performance.now();
  for (let i = 0; i < 10; i++) {
    gemm(a, b, c, 100, 1024, 1024);
    gemm(a, b, c, 100, 1024, 784 > 0 ? 1024 : 0);
    gemm(a, b, c, 100, 1024, 1024);
  }
  console.log("3 fwd gemms", ((performance.now() - s) / 10).toFixed(1), "ms");
  const w = new Float32Array(3e6),
    g = new Float32Array(3e6),
    m = new Float32Array(3e6),
    v = new Float32Array(3e6);
  const s2 = performance.now();
  for (let r = 0; r < 10; r++)
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      const mi = 0.9 * m[i]! + 0.1 * gi;
      const vi = 0.999 * v[i]! + 0.001 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i]! -= (0.001 * mi) / (Math.sqrt(vi) + 1e-8);
    }
  console.log("inline adam 3M", ((performance.now() - s2) / 10).toFixed(1), "ms");
}
