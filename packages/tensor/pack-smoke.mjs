// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import { Rng, conv2d, gemm, getBackendInfo, setBackend } from "@onebit/tensor";
import { disableThreads, enableThreads } from "@onebit/tensor/node";

// [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
const c = new Float32Array(4);
gemm(Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), c, 2, 2, 2);
if (c.join() !== "19,22,43,50") throw new Error(`gemm gave ${c.join()}`);

// A larger product goes through the WebAssembly path where available; compare with a plain loop.
const m = 37;
const n = 70;
const k = 129;
const rng = new Rng(1);
const a = rng.uniformArray(m * k, -1, 1);
const b = rng.uniformArray(k * n, -1, 1);
const big = new Float32Array(m * n);
gemm(a, b, big, m, n, k, { transB: false });
for (let i = 0; i < m; i++)
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
    if (Math.abs(s - big[i * n + j]) > 1e-4) throw new Error(`gemm differs at (${i}, ${j})`);
  }

const out = conv2d(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 1, 1, 1), {
  batch: 1,
  inH: 2,
  inW: 2,
  inC: 1,
  outC: 1,
  kernelH: 2,
  kernelW: 2,
  strideH: 1,
  strideW: 1,
  padding: "valid",
});
if (out[0] !== 10) throw new Error(`conv2d gave ${out[0]}`);
// The same product on two threads (the Node entry) must give the same bits. The thread pool is
// WebAssembly's: the native GEMM (registered by the Node entry where @onebit/native loads) is set aside.
setBackend("wasm-simd");
const tm = 64;
const tk = 300;
const tn = 256;
const ta = rng.uniformArray(tm * tk, -1, 1);
const tb = rng.uniformArray(tk * tn, -1, 1);
const one = new Float32Array(tm * tn);
gemm(ta, tb, one, tm, tn, tk);
const threads = enableThreads(2);
const two = new Float32Array(tm * tn);
gemm(ta, tb, two, tm, tn, tk);
if (getBackendInfo().simd && (threads !== 2 || getBackendInfo().threads !== 2))
  throw new Error("threads not enabled");
if (!one.every((v, i) => Object.is(v, two[i]))) throw new Error("threaded gemm differs from one thread");
await disableThreads();
setBackend("auto");
const native = new Float32Array(tm * tn);
gemm(ta, tb, native, tm, tn, tk);
if (!native.every((v, i) => Math.abs(v - one[i]) <= 1e-4 * (1 + Math.abs(one[i]))))
  throw new Error(`gemm on ${getBackendInfo().gemm} differs from WebAssembly`);
console.log(`@onebit/tensor smoke: ok (${JSON.stringify(getBackendInfo())})`);
