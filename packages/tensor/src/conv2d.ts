import { type Conv2dGeometry, type Conv2dParams, conv2dOutputShape } from "./conv2d-params.js";
import { assertLength } from "./errors.js";
import { activeNativeGemm, currentBackendChoice } from "./backend.js";
import { WASM_MIN_MACS, gemm } from "./gemm.js";
import { type NativeGemm, nativeOverWasm, nativeThreads } from "./native-gemm.js";
import { activeNativeTrainKernels, type NativeTrainKernels } from "./native-train.js";
import { threadedKernel } from "./threads-hook.js";
import { conv2dBackwardWasm, conv2dWasm } from "./wasm-conv2d.js";
import { type GemmExports, wasmGemmKernel } from "./wasm-gemm.js";

/** im2col buffers are built for a chunk of output pixels at a time to bound memory (≈4 MiB). */
const CHUNK_FLOATS = 1 << 20;
/**
 * The native backward's chunk (1 MiB): the im2col rows and their gradient then stay in L2 from the
 * pass that writes them to the one that reads them. A 28×28×64 → 64 3×3 backward at batch 100 took
 * ~20 % less CPU time than with 4 MiB chunks (one thread, interleaved runs, shared machine).
 */
const NATIVE_CHUNK_FLOATS = 1 << 18;

/**
 * Writes the receptive fields of output pixels [r0, r1) (flat over batch·outH·outW) as rows of
 * `cols`, each kernelH·kernelW·inC long in HWC order (matching the HWIO weight rows).
 */
export function im2col(
  input: Float32Array,
  p: Conv2dParams,
  g: Conv2dGeometry,
  r0: number,
  r1: number,
  cols: Float32Array,
): void {
  const { inH, inW, inC, kernelH, kernelW, strideH, strideW } = p;
  const padValue = p.padValue ?? 0;
  const rowLen = kernelH * kernelW * inC;
  const perImage = g.outH * g.outW;
  const span = kernelW * inC;
  let b = Math.floor(r0 / perImage);
  let oy = Math.floor((r0 - b * perImage) / g.outW);
  let ox = r0 - b * perImage - oy * g.outW;
  for (let r = r0; r < r1; r++) {
    let dst = (r - r0) * rowLen;
    const x0 = ox * strideW - g.padLeft;
    const inside = x0 >= 0 && x0 + kernelW <= inW;
    for (let ky = 0; ky < kernelH; ky++) {
      const y = oy * strideH + ky - g.padTop;
      if (y < 0 || y >= inH) {
        cols.fill(padValue, dst, dst + span);
      } else if (inside) {
        // The kernelW pixels of one kernel row are adjacent in NHWC: one contiguous span (set() of a
        // span measured over 2× faster than an element loop here).
        const src = ((b * inH + y) * inW + x0) * inC;
        cols.set(input.subarray(src, src + span), dst);
      } else {
        for (let kx = 0; kx < kernelW; kx++) {
          const x = x0 + kx;
          const o = dst + kx * inC;
          if (x >= 0 && x < inW) {
            const src = ((b * inH + y) * inW + x) * inC;
            for (let c = 0; c < inC; c++) cols[o + c] = input[src + c]!;
          } else {
            for (let c = 0; c < inC; c++) cols[o + c] = padValue;
          }
        }
      }
      dst += span;
    }
    // Advance (b, oy, ox) to the next output pixel without divisions.
    if (++ox === g.outW) {
      ox = 0;
      if (++oy === g.outH) {
        oy = 0;
        b++;
      }
    }
  }
}

/** Scatter-adds rows of `gradCols` back onto the input positions they were gathered from. */
export function col2imAdd(
  gradCols: Float32Array,
  p: Conv2dParams,
  g: Conv2dGeometry,
  r0: number,
  r1: number,
  gradInput: Float32Array,
): void {
  const { inH, inW, inC, kernelH, kernelW, strideH, strideW } = p;
  const rowLen = kernelH * kernelW * inC;
  const perImage = g.outH * g.outW;
  const span = kernelW * inC;
  let b = Math.floor(r0 / perImage);
  let oy = Math.floor((r0 - b * perImage) / g.outW);
  let ox = r0 - b * perImage - oy * g.outW;
  for (let r = r0; r < r1; r++) {
    let src = (r - r0) * rowLen;
    const x0 = ox * strideW - g.padLeft;
    const inside = x0 >= 0 && x0 + kernelW <= inW;
    for (let ky = 0; ky < kernelH; ky++) {
      const y = oy * strideH + ky - g.padTop;
      if (y >= 0 && y < inH) {
        const rowStart = (b * inH + y) * inW;
        if (inside) {
          const dst = (rowStart + x0) * inC;
          for (let t = 0; t < span; t++) gradInput[dst + t]! += gradCols[src + t]!;
        } else {
          for (let kx = 0; kx < kernelW; kx++) {
            const x = x0 + kx;
            if (x < 0 || x >= inW) continue;
            const dst = (rowStart + x) * inC;
            const o = src + kx * inC;
            for (let c = 0; c < inC; c++) gradInput[dst + c]! += gradCols[o + c]!;
          }
        }
      }
      src += span;
    }
    if (++ox === g.outW) {
      ox = 0;
      if (++oy === g.outH) {
        oy = 0;
        b++;
      }
    }
  }
}

/** A 1×1, stride-1 convolution reads its input directly as the im2col matrix. */
function isPointwise(p: Conv2dParams): boolean {
  return p.kernelH === 1 && p.kernelW === 1 && p.strideH === 1 && p.strideW === 1;
}

/** Whether the convolution should run in WebAssembly (same rule as `gemm`'s `auto`). */
function useWasm(rows: number, rowLen: number, outC: number): boolean {
  const choice = currentBackendChoice();
  if (choice === "typescript") return false;
  return choice === "wasm-simd" || rows * rowLen * outC >= WASM_MIN_MACS;
}

/**
 * Runs `attempt` with the native GEMM over the module's memory when registered, else on the thread
 * pool when one is installed, else (or when a worker failed during the
 * call, which leaves the JavaScript outputs untouched) on the single-threaded module. False when
 * WebAssembly is unavailable or its memory could not grow.
 */
function runWasm(attempt: (wasm: GemmExports) => boolean): boolean {
  const native = activeNativeGemm();
  const single = native && wasmGemmKernel();
  if (native && single) return attempt(nativeOverWasm(native, single));
  const threaded = threadedKernel();
  if (threaded) {
    try {
      if (attempt(threaded.kernel)) return true;
    } catch (error) {
      if (!threaded.failed()) throw error;
    }
  }
  const wasm = wasmGemmKernel();
  return wasm !== null && attempt(wasm);
}

/** The native GEMM and training kernels when both are active (Node.js with the addon), else null. */
function nativeConv(): { gemm: NativeGemm; train: NativeTrainKernels } | null {
  const gemm = activeNativeGemm();
  const train = gemm && activeNativeTrainKernels();
  return gemm && train ? { gemm, train } : null;
}

/** The window geometry the native kernels take (csrc/train.h's window_t). */
function nativeGeometry(p: Conv2dParams, g: Conv2dGeometry): Int32Array {
  return Int32Array.of(
    p.batch,
    p.inH,
    p.inW,
    p.inC,
    p.kernelH,
    p.kernelW,
    p.strideH,
    p.strideW,
    g.padTop,
    g.padLeft,
    g.outH,
    g.outW,
  );
}

// One im2col buffer (and one for its gradient) reused by every native convolution of the process.
let colsBuffer = new Float32Array(0);
let gradColsBuffer = new Float32Array(0);
function scratch(which: "cols" | "gradCols", length: number): Float32Array {
  if (which === "cols") {
    if (colsBuffer.length < length) colsBuffer = new Float32Array(length);
    return colsBuffer.subarray(0, length);
  }
  if (gradColsBuffer.length < length) gradColsBuffer = new Float32Array(length);
  return gradColsBuffer.subarray(0, length);
}

function chunkRows(rowLen: number, floats = CHUNK_FLOATS): number {
  return Math.max(1, Math.floor(floats / Math.max(rowLen, 1)));
}

/**
 * NHWC 2-D convolution: input [batch, inH, inW, inC] · weights [kernelH, kernelW, inC, outC] →
 * [batch, outH, outW, outC], as im2col + GEMM. Writes into `out` when given.
 */
export function conv2d(
  input: Float32Array,
  weights: Float32Array,
  p: Conv2dParams,
  out?: Float32Array,
): Float32Array {
  const g = conv2dOutputShape(p);
  const rowLen = p.kernelH * p.kernelW * p.inC;
  const rows = p.batch * g.outH * g.outW;
  assertLength(input, p.batch * p.inH * p.inW * p.inC, "conv2d input [batch, inH, inW, inC]");
  assertLength(weights, rowLen * p.outC, "conv2d weights [kernelH, kernelW, inC, outC]");
  const result = out ?? new Float32Array(rows * p.outC);
  assertLength(result, rows * p.outC, "conv2d out [batch, outH, outW, outC]");
  if (isPointwise(p)) {
    gemm(input, weights, result, rows, p.outC, rowLen);
    return result;
  }
  const step = chunkRows(rowLen);
  const native = useWasm(rows, rowLen, p.outC) ? nativeConv() : null;
  if (native) {
    // im2col, GEMM and the output all on the caller's arrays: nothing is copied.
    const geometry = nativeGeometry(p, g);
    const cols = scratch("cols", Math.min(step, rows) * rowLen);
    const threads = nativeThreads();
    for (let r0 = 0; r0 < rows; r0 += step) {
      const r1 = Math.min(rows, r0 + step);
      native.train.im2colF32(input, cols, geometry, p.padValue ?? 0, r0, r1, threads);
      const out = result.subarray(r0 * p.outC, r1 * p.outC);
      native.gemm.sgemm(cols, weights, out, r1 - r0, p.outC, rowLen, false, false, 1, 0, threads);
    }
    return result;
  }
  if (
    useWasm(rows, rowLen, p.outC) &&
    runWasm((wasm) => conv2dWasm(wasm, input, weights, p, g, step, result))
  ) {
    return result;
  }
  const cols = new Float32Array(Math.min(step, rows) * rowLen);
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    im2col(input, p, g, r0, r1, cols);
    gemm(cols, weights, result.subarray(r0 * p.outC, r1 * p.outC), r1 - r0, p.outC, rowLen);
  }
  return result;
}

/**
 * Gradients of `conv2d` with respect to its input and its weights, given the gradient of its
 * output [batch, outH, outW, outC]: gradWeights = colsᵀ·gradOut, gradInput = col2im(gradOut·Wᵀ).
 * Padded positions contribute padValue to gradWeights and receive no gradient. With
 * `inputGrad: false` (a first layer) gradInput is not computed where that saves work, and comes back
 * empty.
 */
export function conv2dBackward(
  input: Float32Array,
  weights: Float32Array,
  gradOut: Float32Array,
  p: Conv2dParams,
  options: { inputGrad?: boolean } = {},
): { gradInput: Float32Array; gradWeights: Float32Array } {
  const wantInput = options.inputGrad ?? true;
  const g = conv2dOutputShape(p);
  const rowLen = p.kernelH * p.kernelW * p.inC;
  const rows = p.batch * g.outH * g.outW;
  const inputSize = p.batch * p.inH * p.inW * p.inC;
  assertLength(input, inputSize, "conv2d input [batch, inH, inW, inC]");
  assertLength(weights, rowLen * p.outC, "conv2d weights [kernelH, kernelW, inC, outC]");
  assertLength(gradOut, rows * p.outC, "conv2d gradOut [batch, outH, outW, outC]");
  const gradInput = new Float32Array(wantInput ? inputSize : 0);
  const gradWeights = new Float32Array(rowLen * p.outC);
  if (isPointwise(p)) {
    gemm(input, gradOut, gradWeights, rowLen, p.outC, rows, { transA: true });
    if (wantInput) gemm(gradOut, weights, gradInput, rows, rowLen, p.outC, { transB: true });
    return { gradInput, gradWeights };
  }
  const step = chunkRows(rowLen);
  const native = useWasm(rows, rowLen, p.outC) ? nativeConv() : null;
  if (native) {
    const step = chunkRows(rowLen, NATIVE_CHUNK_FLOATS);
    const geometry = nativeGeometry(p, g);
    const cols = scratch("cols", Math.min(step, rows) * rowLen);
    const gradCols = scratch("gradCols", cols.length);
    const threads = nativeThreads();
    // gradWeightsᵀ (outC × rowLen) accumulates gradOutᵀ·cols: B = cols is then read row by row
    // (measured ~30% faster than colsᵀ·gradOut, whose packing gathers columns of cols).
    const gradWeightsT = new Float32Array(gradWeights.length);
    for (let r0 = 0; r0 < rows; r0 += step) {
      const r1 = Math.min(rows, r0 + step);
      const n = r1 - r0;
      const gradOutChunk = gradOut.subarray(r0 * p.outC, r1 * p.outC);
      native.train.im2colF32(input, cols, geometry, p.padValue ?? 0, r0, r1, threads);
      const beta = r0 === 0 ? 0 : 1;
      native.gemm.sgemm(gradOutChunk, cols, gradWeightsT, p.outC, rowLen, n, true, false, 1, beta, threads);
      if (!wantInput) continue;
      // gradCols = gradOut·Wᵀ, scattered back onto the input positions.
      native.gemm.sgemm(gradOutChunk, weights, gradCols, n, rowLen, p.outC, false, true, 1, 0, threads);
      native.train.col2imAddF32(gradCols, gradInput, geometry, r0, r1, threads);
    }
    for (let o = 0; o < p.outC; o++) {
      for (let i = 0; i < rowLen; i++) gradWeights[i * p.outC + o] = gradWeightsT[o * rowLen + i]!;
    }
    return { gradInput, gradWeights };
  }
  // The WebAssembly kernel always produces gradInput: into a buffer of its own when not wanted.
  const wasmGradInput = wantInput ? gradInput : new Float32Array(inputSize);
  if (
    useWasm(rows, rowLen, p.outC) &&
    runWasm((wasm) =>
      conv2dBackwardWasm(wasm, input, weights, gradOut, p, g, step, wasmGradInput, gradWeights),
    )
  ) {
    return { gradInput, gradWeights };
  }
  const cols = new Float32Array(Math.min(step, rows) * rowLen);
  const gradCols = new Float32Array(cols.length);
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    const n = r1 - r0;
    const gradOutChunk = gradOut.subarray(r0 * p.outC, r1 * p.outC);
    im2col(input, p, g, r0, r1, cols);
    gemm(cols, gradOutChunk, gradWeights, rowLen, p.outC, n, { transA: true, beta: r0 === 0 ? 0 : 1 });
    if (!wantInput) continue;
    gemm(gradOutChunk, weights, gradCols, n, rowLen, p.outC, { transB: true });
    col2imAdd(gradCols, p, g, r0, r1, gradInput);
  }
  return { gradInput, gradWeights };
}
