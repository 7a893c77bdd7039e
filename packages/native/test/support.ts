// Shared by the native tests: the addon registered once, seeded random data, and a GEMM laid out in
// a memory the way a runtime lays it out.
import {
  type BitopsHeap,
  type GemmArgs,
  type NativeIsa,
  bgemmRef,
  kernelRowWords,
  packSignsMatrix,
  prepackWeights,
} from "@onebit/bitops";
import { execFileSync } from "node:child_process";
import { registerNativeBackend } from "../src/index.js";

export const status = registerNativeBackend();
/** The platforms whose binary this repository builds: there the native tests must run, never skip. */
export const mustRun = process.platform === "linux" && process.arch === "x64";
export const isas: NativeIsa[] = [...(status.isas ?? [])];

/** The system C compiler the C harnesses in test/c build with, if there is one. */
export const cc = ["cc", "gcc", "clang"].find((c) => {
  try {
    execFileSync(c, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});

/** Runs `body` with ONEBIT_NATIVE_ISA forcing `isa` for the high-level functions, then restores it. */
export function withIsa<T>(isa: NativeIsa, body: () => T): T {
  const before = process.env.ONEBIT_NATIVE_ISA;
  process.env.ONEBIT_NATIVE_ISA = isa;
  try {
    registerNativeBackend();
    return body();
  } finally {
    if (before === undefined) delete process.env.ONEBIT_NATIVE_ISA;
    else process.env.ONEBIT_NATIVE_ISA = before;
    registerNativeBackend();
  }
}

/** Seeded xorshift32 words, so a failure reproduces. */
export function randomWords(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 0;
  }
  return out;
}

/** ±1-ish floats in (−1, 1). */
export function randomValues(n: number, seed: number): Float32Array {
  return Float32Array.from(randomWords(n, seed), (w) => (w / 2 ** 32) * 2 - 1);
}

/** A seeded integer in [lo, hi]. */
export function pick(seed: number, lo: number, hi: number): number {
  return lo + (randomWords(1, seed)[0]! % (hi - lo + 1));
}

/**
 * A binary GEMM of M×K activations and N×K weights in `heap`, with the arguments of every output
 * mode (thresholds including the int32 extremes, flips, random float scales and biases).
 */
export function gemmLayout(heap: BitopsHeap, m: number, n: number, k: number, seed: number) {
  const A = packSignsMatrix(randomValues(m * k, seed), m, k, { wordMultiple: 4 });
  const W = packSignsMatrix(randomValues(n * k, seed + 1), n, k);
  const pw = prepackWeights(W);
  const kWords = kernelRowWords(k);
  const a = heap.alloc(m * kWords * 4);
  const w = heap.alloc(pw.data.byteLength);
  heap.u32(a, A.data.length).set(A.data);
  heap.u32(w, pw.data.length).set(pw.data);
  const r = randomValues(n, seed + 2);
  const thresholds = Int32Array.from(r, (v, i) =>
    i % 7 === 0 ? -(2 ** 31) : i % 7 === 1 ? 2 ** 31 - 1 : Math.round(v * k * 0.3),
  );
  const flips = Uint8Array.from(r, (v) => (v > 0.2 ? 1 : 0));
  const scales = randomValues(n, seed + 3).map((v) => v * 3.7);
  const biases = randomValues(n, seed + 4).map((v) => v * 11.3);
  const tAt = heap.alloc(n * 4);
  const fAt = heap.alloc(n);
  const sAt = heap.alloc(n * 4);
  const bAt = heap.alloc(n * 4);
  heap.i32(tAt, n).set(thresholds);
  heap.u8(fAt, n).set(flips);
  heap.f32(sAt, n).set(scales);
  heap.f32(bAt, n).set(biases);
  const dot: GemmArgs = {
    mode: "dot",
    a,
    aStride: kWords * 4,
    w,
    n,
    k,
    kWords,
    out: 0,
    outStride: n * 4,
    p0: 0,
    p1: 0,
  };
  const threshold: GemmArgs = {
    ...dot,
    mode: "threshold",
    outStride: kernelRowWords(n) * 4,
    p0: tAt,
    p1: fAt,
  };
  const scaleBias: GemmArgs = { ...dot, mode: "scaleBias", p0: sAt, p1: bAt };
  return { A, W, dot, threshold, scaleBias, expected: bgemmRef(A, W), thresholds, flips, scales, biases };
}

/** `args` writing into a fresh output region of `heap`, prefilled with a sentinel byte pattern. */
export function withOutput(heap: BitopsHeap, args: GemmArgs, rows: number): GemmArgs {
  const bytes = rows * args.outStride;
  const out = heap.alloc(bytes);
  heap.u8(out, bytes).fill(0xa5);
  return { ...args, out };
}
