// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import {
  bgemm,
  bgemmRef,
  getBackendInfo,
  packSigns,
  packSignsMatrix,
  prepackWeights,
  setBackend,
  xnorDot,
} from "@onebit/bitops";

const a = packSigns(Float32Array.from([1, -1, 1, 1]));
const b = packSigns(Float32Array.from([1, 1, -1, 1]));
if (xnorDot(a.data, b.data, 4) !== 0) throw new Error("xnorDot gave a wrong answer");
const c = bgemmRef(packSignsMatrix([1, -1, -1, 1], 2, 2), packSignsMatrix([1, 1], 1, 2));
if (c[0] !== 0 || c[1] !== 0) throw new Error("bgemmRef gave a wrong answer");

// The embedded WebAssembly kernels load from the installed package and agree with the reference.
const A = packSignsMatrix(
  Float32Array.from({ length: 3 * 100 }, (_, i) => Math.sin(i)),
  3,
  100,
);
const W = packSignsMatrix(
  Float32Array.from({ length: 5 * 100 }, (_, i) => Math.cos(i * 7)),
  5,
  100,
);
for (const backend of ["wasm-i64", "wasm-simd", "typescript"]) {
  setBackend(backend);
  const got = bgemm(A, prepackWeights(W)).join();
  if (got !== bgemmRef(A, W).join()) throw new Error(`bgemm (${backend}) disagrees with bgemmRef`);
}
setBackend("auto");
console.log(`@onebit/bitops smoke: ok (auto backend: ${getBackendInfo().backend})`);
