import type { Conv2dGeometry, Conv2dParams } from "./conv2d-params.js";
import { type GemmExports, align64, ensureMemory } from "./wasm-gemm.js";

/**
 * Convolutions entirely inside WebAssembly memory: the input, weights (and gradients) are copied in
 * once, then im2col, the packed GEMM and col2im run on chunks of output pixels there, so the im2col
 * matrix is never built in JavaScript nor copied across. Each returns false, having done nothing,
 * when linear memory cannot grow enough. Arguments are assumed validated.
 */

interface Layout {
  scratch: number;
  offsets: number[];
}

/** Consecutive 64-byte-aligned regions of the given float counts after the GEMM scratch. */
function layout(wasm: GemmExports, floatCounts: number[]): Layout | null {
  const scratch = wasm.heapBase();
  let at = align64(scratch + wasm.scratchBytes());
  const offsets: number[] = [];
  for (const count of floatCounts) {
    offsets.push(at);
    at = align64(at + count * 4);
  }
  return ensureMemory(wasm.memory, at) ? { scratch, offsets } : null;
}

const view = (wasm: GemmExports, offset: number, length: number): Float32Array =>
  new Float32Array(wasm.memory.buffer, offset, length);

function gather(
  wasm: GemmExports,
  inputOff: number,
  p: Conv2dParams,
  g: Conv2dGeometry,
  r0: number,
  r1: number,
  colsOff: number,
): void {
  wasm.im2col(
    inputOff,
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
    p.padValue ?? 0,
    r0,
    r1,
    colsOff,
  );
}

export function conv2dWasm(
  wasm: GemmExports,
  input: Float32Array,
  weights: Float32Array,
  p: Conv2dParams,
  g: Conv2dGeometry,
  chunk: number,
  out: Float32Array,
): boolean {
  const rowLen = p.kernelH * p.kernelW * p.inC;
  const rows = p.batch * g.outH * g.outW;
  const inputSize = p.batch * p.inH * p.inW * p.inC;
  const step = Math.min(chunk, rows);
  const l = layout(wasm, [inputSize, rowLen * p.outC, step * rowLen, rows * p.outC]);
  if (!l) return false;
  const [inputOff, weightsOff, colsOff, outOff] = l.offsets as [number, number, number, number];
  view(wasm, inputOff, inputSize).set(input.subarray(0, inputSize));
  view(wasm, weightsOff, rowLen * p.outC).set(weights.subarray(0, rowLen * p.outC));
  view(wasm, outOff, rows * p.outC).fill(0); // the kernel accumulates into C
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    gather(wasm, inputOff, p, g, r0, r1, colsOff);
    wasm.sgemm(colsOff, weightsOff, outOff + r0 * p.outC * 4, r1 - r0, p.outC, rowLen, 0, 0, 1, l.scratch);
  }
  out.set(view(wasm, outOff, rows * p.outC));
  return true;
}

export function conv2dBackwardWasm(
  wasm: GemmExports,
  input: Float32Array,
  weights: Float32Array,
  gradOut: Float32Array,
  p: Conv2dParams,
  g: Conv2dGeometry,
  chunk: number,
  gradInput: Float32Array,
  gradWeights: Float32Array,
): boolean {
  const rowLen = p.kernelH * p.kernelW * p.inC;
  const rows = p.batch * g.outH * g.outW;
  const inputSize = p.batch * p.inH * p.inW * p.inC;
  const weightSize = rowLen * p.outC;
  const step = Math.min(chunk, rows);
  const l = layout(wasm, [
    inputSize,
    weightSize,
    rows * p.outC,
    step * rowLen,
    step * rowLen,
    inputSize,
    weightSize,
  ]);
  if (!l) return false;
  const [inputOff, weightsOff, gradOutOff, colsOff, gradColsOff, gradInputOff, gradWeightsOff] =
    l.offsets as [number, number, number, number, number, number, number];
  view(wasm, inputOff, inputSize).set(input.subarray(0, inputSize));
  view(wasm, weightsOff, weightSize).set(weights.subarray(0, weightSize));
  view(wasm, gradOutOff, rows * p.outC).set(gradOut.subarray(0, rows * p.outC));
  view(wasm, gradInputOff, inputSize).fill(0);
  view(wasm, gradWeightsOff, weightSize).fill(0);
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    const n = r1 - r0;
    const gradOutChunk = gradOutOff + r0 * p.outC * 4;
    gather(wasm, inputOff, p, g, r0, r1, colsOff);
    // gradWeights += colsᵀ · gradOut (the kernel accumulates across chunks).
    wasm.sgemm(colsOff, gradOutChunk, gradWeightsOff, rowLen, p.outC, n, 1, 0, 1, l.scratch);
    // gradCols = gradOut · Wᵀ, then scattered back onto the input positions.
    view(wasm, gradColsOff, n * rowLen).fill(0);
    wasm.sgemm(gradOutChunk, weightsOff, gradColsOff, n, rowLen, p.outC, 0, 1, 1, l.scratch);
    wasm.col2imAdd(
      gradColsOff,
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
      r0,
      r1,
      gradInputOff,
    );
  }
  gradInput.set(view(wasm, gradInputOff, inputSize));
  gradWeights.set(view(wasm, gradWeightsOff, weightSize));
  return true;
}
