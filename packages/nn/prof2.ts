import { Rng, gemm } from "@onebit/tensor";
import { adam, batchNorm, binaryDense, sequential, type Layer } from "./src/index.js";
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
const T: Record<string, number> = {};
const origGemm = gemm;
for (const l of model.layers as Layer[]) {
  const f = l.forward.bind(l),
    b = l.backward.bind(l);
  l.forward = (x, n, c) => {
    const s = performance.now();
    const r = f(x, n, c);
    T[`F ${l.name}`] = (T[`F ${l.name}`] ?? 0) + performance.now() - s;
    return r;
  };
  l.backward = (g, n, need) => {
    const s = performance.now();
    const r = b(g, n, need);
    T[`B ${l.name}`] = (T[`B ${l.name}`] ?? 0) + performance.now() - s;
    return r;
  };
}
const x = rng.uniformArray(100 * 784, -1, 1),
  y = Int32Array.from({ length: 100 }, () => rng.int(10));
const opt = adam();
for (let i = 0; i < 3; i++) model.trainStep(x, y, 100, opt, rng);
for (const k in T) delete T[k];
const s = performance.now();
for (let i = 0; i < 10; i++) model.trainStep(x, y, 100, opt, rng);
console.log("step", ((performance.now() - s) / 10).toFixed(1));
for (const [k, v] of Object.entries(T)) console.log(k, (v / 10).toFixed(1));
// pieces
const W = rng.uniformArray(1024 * 1024, -1, 1),
  Q = new Float32Array(W.length),
  G = rng.uniformArray(W.length, -1, 1);
let t = performance.now();
for (let r = 0; r < 10; r++) for (let i = 0; i < W.length; i++) Q[i] = W[i]! >= 0 ? 1 : -1;
console.log("sign 1M", ((performance.now() - t) / 10).toFixed(2));
t = performance.now();
for (let r = 0; r < 10; r++)
  for (let i = 0; i < W.length; i++) {
    const v = W[i]!;
    G[i] = v <= 1 && v >= -1 ? G[i]! : 0;
  }
console.log("ste 1M", ((performance.now() - t) / 10).toFixed(2));
const a = rng.uniformArray(100 * 1024, -1, 1),
  c = new Float32Array(100 * 1024);
t = performance.now();
for (let r = 0; r < 10; r++) gemm(a, Q, c, 100, 1024, 1024);
console.log("gemm fwd 1024", ((performance.now() - t) / 10).toFixed(2));
t = performance.now();
for (let r = 0; r < 10; r++) gemm(a, c, G, 1024, 1024, 100, { transA: true });
console.log("gemm gW 1024", ((performance.now() - t) / 10).toFixed(2));
t = performance.now();
for (let r = 0; r < 10; r++) gemm(c, Q, a, 100, 1024, 1024, { transB: true });
console.log("gemm gX 1024", ((performance.now() - t) / 10).toFixed(2));
