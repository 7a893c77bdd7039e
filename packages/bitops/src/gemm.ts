import { defaultContext } from "./backend.js";
import { type BitMatrix, createBitMatrix, lastWordMask, validateBitMatrix } from "./bit-matrix.js";
import { BIT_PLANES, type BitPlanes } from "./bit-planes.js";
import { BitopsError } from "./errors.js";
import type { BitopsHeap } from "./heap.js";
import { kernelRowWords } from "./kernel-layout.js";
import type { GemmArgs, OutputMode } from "./kernels/kernel-args.js";
import { type PackedWeights, prepackWeights, validatePackedWeights } from "./packed-weights.js";

// High-level GEMMs over the default context: inputs are copied into the kernels' memory, weights
// are uploaded once per PackedWeights object (treat it as immutable) and freed when it is collected.

interface Upload {
  ptr: number;
}
const uploads = new WeakMap<PackedWeights, Upload>();
// Marked pure so bundles that use only the pointer API tree-shake the embedded modules away.
const release =
  typeof FinalizationRegistry === "function"
    ? /* @__PURE__ */ new FinalizationRegistry<number>((ptr) => defaultContext().heap.free(ptr))
    : undefined;

/** Byte offset of `w`'s data in the default memory, uploading it on first use. */
export function uploadedWeights(w: PackedWeights): number {
  let up = uploads.get(w);
  if (!up) {
    const heap = defaultContext().heap;
    const ptr = heap.alloc(w.data.byteLength);
    heap.u32(ptr, w.data.length).set(w.data);
    up = { ptr };
    uploads.set(w, up);
    release?.register(w, ptr);
  }
  return up.ptr;
}

const prepacked = new WeakMap<BitMatrix, PackedWeights>();
function asPacked(w: PackedWeights | BitMatrix): PackedWeights {
  if ("layout" in w) return w;
  let p = prepacked.get(w);
  if (!p) {
    p = prepackWeights(w);
    prepacked.set(w, p);
  }
  return p;
}

/** Copies rows of packed bits into kernel rows (stride kWords), masking bits past `cols`. */
function copyRowsIn(
  heap: BitopsHeap,
  dst: number,
  kWords: number,
  src: Uint32Array,
  srcStride: number,
  rows: number,
  cols: number,
): void {
  const words = Math.ceil(cols / 32);
  const view = heap.u32(dst, rows * kWords);
  view.fill(0);
  const mask = lastWordMask(cols);
  for (let r = 0; r < rows; r++) {
    if (words === 0) continue;
    view.set(src.subarray(r * srcStride, r * srcStride + words), r * kWords);
    view[r * kWords + words - 1]! &= mask;
  }
}

function checkK(where: string, aCols: number, w: PackedWeights): void {
  validatePackedWeights(w, where);
  if (w.conv) {
    throw new BitopsError("INVALID_ARGUMENT", `${where}: convolution weights need bconv2d, not a GEMM`);
  }
  if (aCols !== w.cols) {
    throw new BitopsError("SHAPE_MISMATCH", `${where}: A has K = ${aCols} columns but W has K = ${w.cols}`);
  }
}

function checkLength(where: string, what: string, actual: number, needed: number): void {
  if (actual < needed) {
    throw new BitopsError("SHAPE_MISMATCH", `${where}: ${what} holds ${actual} values, ${needed} needed`);
  }
}

type Epilogue =
  | { mode: "dot"; out?: Int32Array }
  | { mode: "threshold"; thresholds: Int32Array; flip: Uint8Array; out?: BitMatrix }
  | { mode: "scaleBias"; scale: Float32Array; bias: Float32Array; out?: Float32Array };

function checkEpilogue(where: string, e: Epilogue, m: number, n: number): void {
  if (e.mode === "threshold") {
    checkLength(where, "thresholds", e.thresholds.length, n);
    checkLength(where, "flip", e.flip.length, n);
    if (e.out) {
      validateBitMatrix(e.out, `${where}: out`);
      if (e.out.rows !== m || e.out.cols !== n) {
        throw new BitopsError(
          "SHAPE_MISMATCH",
          `${where}: out is ${e.out.rows}×${e.out.cols}, the result is ${m}×${n}`,
        );
      }
    }
  } else if (e.mode === "scaleBias") {
    checkLength(where, "scale", e.scale.length, n);
    checkLength(where, "bias", e.bias.length, n);
    if (e.out) checkLength(where, "out", e.out.length, m * n);
  } else if (e.out) checkLength(where, "out", e.out.length, m * n);
}

/** Runs one GEMM through the default kernels and copies the result out. */
function run(
  where: string,
  m: number,
  w: PackedWeights,
  aWordsPerRow: number,
  fillA: (heap: BitopsHeap, ptr: number) => void,
  bitPlanes: boolean,
  e: Epilogue,
): Int32Array | Float32Array | BitMatrix {
  checkEpilogue(where, e, m, w.rows);
  const ctx = defaultContext();
  const heap = ctx.heap;
  const kernels = ctx.kernels();
  const n = w.rows;
  const wPtr = uploadedWeights(w);
  const outWords = e.mode === "threshold" ? kernelRowWords(n) : n;
  const a = heap.alloc(Math.max(m * aWordsPerRow * 4, 16));
  const out = heap.alloc(Math.max(m * outWords * 4, 16));
  const p0 = heap.alloc(Math.max(n * 4, 16));
  const p1 = heap.alloc(Math.max(n * 4, 16));
  try {
    fillA(heap, a);
    if (e.mode === "threshold") {
      heap.i32(p0, n).set(e.thresholds.subarray(0, n));
      heap.u8(p1, n).set(e.flip.subarray(0, n));
    } else if (e.mode === "scaleBias") {
      heap.f32(p0, n).set(e.scale.subarray(0, n));
      heap.f32(p1, n).set(e.bias.subarray(0, n));
    }
    const args: GemmArgs = {
      mode: e.mode as OutputMode,
      a,
      aStride: aWordsPerRow * 4,
      w: wPtr,
      n,
      k: w.cols,
      kWords: w.wordsPerRow,
      out,
      outStride: outWords * 4,
      p0,
      p1,
    };
    if (bitPlanes) kernels.bitPlaneGemmRows(args, 0, m);
    else kernels.gemmRows(args, 0, m);
    if (e.mode === "dot") {
      const result = e.out ?? new Int32Array(m * n);
      result.set(heap.i32(out, m * n));
      return result;
    }
    if (e.mode === "scaleBias") {
      const result = e.out ?? new Float32Array(m * n);
      result.set(heap.f32(out, m * n));
      return result;
    }
    const result = e.out ?? createBitMatrix(m, n, 4);
    const src = heap.u32(out, m * outWords);
    const words = Math.min(result.wordsPerRow, outWords);
    for (let r = 0; r < m; r++) {
      const row = result.data.subarray(r * result.wordsPerRow, (r + 1) * result.wordsPerRow);
      row.fill(0);
      row.set(src.subarray(r * outWords, r * outWords + words));
    }
    return result;
  } finally {
    heap.free(p1);
    heap.free(p0);
    heap.free(out);
    heap.free(a);
  }
}

function gemmOf(where: string, a: BitMatrix, w: PackedWeights, e: Epilogue) {
  validateBitMatrix(a, `${where}: A`);
  checkK(where, a.cols, w);
  return run(
    where,
    a.rows,
    w,
    w.wordsPerRow,
    (heap, ptr) => copyRowsIn(heap, ptr, w.wordsPerRow, a.data, a.wordsPerRow, a.rows, a.cols),
    false,
    e,
  );
}

/** Binary GEMM: out[m·N + n] = Σₖ A[m][k]·W[n][k] over ±1 values (M×N Int32 dot products). */
export function bgemm(a: BitMatrix, w: PackedWeights, out?: Int32Array): Int32Array {
  return gemmOf("bgemm", a, w, { mode: "dot", out }) as Int32Array;
}

/**
 * Binary GEMM through per-output thresholds straight to packed bits (BatchNorm + sign folded):
 * bit n of row m is 1 iff dot ≥ thresholds[n] (flip[n] = 0) or dot ≤ thresholds[n] (flip[n] = 1).
 * Constant channels (γ = 0): threshold −2³¹ with flip 0 is always 1, 2³¹−1 with flip 0 always 0
 * (|dot| ≤ K < 2³¹−1). The result is M×N packed along N (the next layer's K), rows padded to a
 * multiple of 4 words with zero bits, so it feeds the next bgemm directly.
 */
export function bgemmThreshold(
  a: BitMatrix,
  w: PackedWeights,
  thresholds: Int32Array,
  flip: Uint8Array,
  out?: BitMatrix,
): BitMatrix {
  return gemmOf("bgemmThreshold", a, w, { mode: "threshold", thresholds, flip, out }) as BitMatrix;
}

/** Binary GEMM with a per-output float affine map (last layer): out = dot·scale[n] + bias[n] in float32. */
export function bgemmScaleBias(
  a: BitMatrix,
  w: PackedWeights,
  scale: Float32Array,
  bias: Float32Array,
  out?: Float32Array,
): Float32Array {
  return gemmOf("bgemmScaleBias", a, w, { mode: "scaleBias", scale, bias, out }) as Float32Array;
}

function bitPlaneOf(where: string, x: BitPlanes, wIn: PackedWeights | BitMatrix, e: Epilogue) {
  const w = asPacked(wIn);
  checkK(where, x.cols, w);
  checkLength(where, "x.data", x.data.length, x.rows * BIT_PLANES * x.wordsPerRow);
  const kWords = w.wordsPerRow;
  return run(
    where,
    x.rows,
    w,
    BIT_PLANES * kWords,
    (heap, ptr) => copyRowsIn(heap, ptr, kWords, x.data, x.wordsPerRow, x.rows * BIT_PLANES, x.cols),
    true,
    e,
  );
}

/** First-layer GEMM of 8-bit inputs (as bit planes) with binary weights: exact Int32 Σ x·w. */
export function bitPlaneGemm(x: BitPlanes, w: PackedWeights | BitMatrix, out?: Int32Array): Int32Array {
  return bitPlaneOf("bitPlaneGemm", x, w, { mode: "dot", out }) as Int32Array;
}

/** `bitPlaneGemm` through thresholds to packed bits (same rule as `bgemmThreshold`). */
export function bitPlaneGemmThreshold(
  x: BitPlanes,
  w: PackedWeights | BitMatrix,
  thresholds: Int32Array,
  flip: Uint8Array,
  out?: BitMatrix,
): BitMatrix {
  return bitPlaneOf("bitPlaneGemmThreshold", x, w, { mode: "threshold", thresholds, flip, out }) as BitMatrix;
}

/** `bitPlaneGemm` through a per-output float scale and bias. */
export function bitPlaneGemmScaleBias(
  x: BitPlanes,
  w: PackedWeights | BitMatrix,
  scale: Float32Array,
  bias: Float32Array,
  out?: Float32Array,
): Float32Array {
  return bitPlaneOf("bitPlaneGemmScaleBias", x, w, { mode: "scaleBias", scale, bias, out }) as Float32Array;
}
