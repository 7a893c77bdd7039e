// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarballs
// (@onebit/native, its per-platform binary package and @onebit/bitops).
import "@onebit/native/register";
import {
  BitopsHeap,
  bgemm,
  bgemmRef,
  createKernels,
  getBackendInfo,
  kernelRowWords,
  packSignsMatrix,
  prepackWeights,
} from "@onebit/bitops";

const info = getBackendInfo();
if (process.platform === "linux" && process.arch === "x64" && !info.native.available)
  throw new Error(`the native kernels did not load from the installed packages: ${info.native.reason}`);
if (info.native.available && info.backend !== "native")
  throw new Error(`auto chose ${info.backend} over the available native kernels`);

const A = packSignsMatrix(
  Float32Array.from({ length: 3 * 300 }, (_, i) => Math.sin(i)),
  3,
  300,
);
const W = packSignsMatrix(
  Float32Array.from({ length: 9 * 300 }, (_, i) => Math.cos(7 * i)),
  9,
  300,
);
if (bgemm(A, prepackWeights(W)).join() !== bgemmRef(A, W).join())
  throw new Error(`bgemm on ${info.backend} disagrees with bgemmRef`);
if (info.native.available) {
  // The pointer API over a shared memory, as the runtime's worker threads use it.
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const heap = new BitopsHeap(memory);
  const pw = prepackWeights(W);
  const kWords = kernelRowWords(300);
  const a = heap.alloc(3 * kWords * 4);
  const w = heap.alloc(pw.data.byteLength);
  const out = heap.alloc(3 * 9 * 4);
  const rows = packSignsMatrix(
    Float32Array.from({ length: 3 * 300 }, (_, i) => Math.sin(i)),
    3,
    300,
    { wordMultiple: 4 },
  );
  heap.u32(a, rows.data.length).set(rows.data);
  heap.u32(w, pw.data.length).set(pw.data);
  const args = {
    mode: "dot",
    a,
    aStride: kWords * 4,
    w,
    n: 9,
    k: 300,
    kWords,
    out,
    outStride: 36,
    p0: 0,
    p1: 0,
  };
  createKernels({ backend: "native", memory }).gemmRows(args, 0, 3);
  if (heap.i32(out, 27).join() !== bgemmRef(A, W).join())
    throw new Error("the native gemmRows over a shared memory disagrees with bgemmRef");
}
console.log(`@onebit/native smoke: ok (${info.backend}; ${info.native.reason})`);
