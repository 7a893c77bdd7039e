import type { GemmOptions } from "./gemm-options.js";
import { GEMM_WASM_BASE64 } from "./wasm/gemm-wasm.generated.js";

/** Pointers and sizes of C = alpha·op(A)·op(B) (+ C) in the module's memory; flags are 0/1. */
type SgemmArgs = [
  a: number,
  b: number,
  c: number,
  m: number,
  n: number,
  k: number,
  transA: number,
  transB: number,
  alpha: number,
  scratch: number,
];

export interface GemmExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  scratchBytes(): number;
  sgemm(...args: SgemmArgs): void;
  /** `sgemm` restricted to C[i0..i1, j0..j1] (threads split C between them). */
  sgemmPart(...args: [...SgemmArgs, i0: number, i1: number, j0: number, j1: number]): void;
  /** Zeroes C[i0..i1, j0..j1] of an m×n C. */
  zeroBlock(c: number, n: number, i0: number, i1: number, j0: number, j1: number): void;
  /**
   * Optional: C = alpha·op(A)·op(B), ignoring C's old contents (same arguments as `sgemm`). The
   * thread pool provides it so that each thread clears its own block of C instead of the calling
   * thread clearing all of it (which also leaves those cache lines on the wrong core).
   */
  sgemmOverwrite?(...args: SgemmArgs): void;
  im2col(
    input: number,
    inH: number,
    inW: number,
    inC: number,
    kernelH: number,
    kernelW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    padValue: number,
    r0: number,
    r1: number,
    cols: number,
  ): void;
  col2imAdd(
    gradCols: number,
    inH: number,
    inW: number,
    inC: number,
    kernelH: number,
    kernelW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    r0: number,
    r1: number,
    gradInput: number,
  ): void;
}

const PAGE = 65536;
/** Rounds a byte offset up to a cache line. */
export const align64 = (x: number): number => Math.ceil(x / 64) * 64;

export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// undefined: not tried yet; null: unavailable (no SIMD, or instantiation failed).
let kernel: GemmExports | null | undefined;

/**
 * The embedded GEMM module, instantiated synchronously on first use (so `gemm` stays synchronous),
 * or null where WebAssembly SIMD does not validate.
 */
export function wasmGemmKernel(): GemmExports | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    if (typeof WebAssembly === "object") {
      const bytes = decodeBase64(GEMM_WASM_BASE64);
      if (WebAssembly.validate(bytes)) {
        kernel = new WebAssembly.Instance(new WebAssembly.Module(bytes), {})
          .exports as unknown as GemmExports;
      }
    }
  } catch {
    kernel = null;
  }
  return kernel;
}

/** Grows linear memory to at least `bytes`; false when the engine refuses (beyond 4 GiB). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

/**
 * GEMM through WebAssembly: copies A, B (and C when beta ≠ 0) into linear memory, runs the packed
 * SIMD kernel and copies C back. Returns false (having done nothing) when memory cannot grow.
 * Arguments are assumed validated.
 */
export function gemmWasm(
  wasm: GemmExports,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  options?: GemmOptions,
): boolean {
  const alpha = options?.alpha ?? 1;
  const beta = options?.beta ?? 0;
  const scratch = wasm.heapBase();
  const aOff = align64(scratch + wasm.scratchBytes());
  const bOff = align64(aOff + m * k * 4);
  const cOff = align64(bOff + k * n * 4);
  const end = cOff + m * n * 4;
  if (!ensureMemory(wasm.memory, end)) return false;
  const buffer = wasm.memory.buffer;
  const size = m * n;
  const cw = new Float32Array(buffer, cOff, size);
  const multiply = k > 0 && alpha !== 0;
  const overwrite = beta === 0 && multiply ? wasm.sgemmOverwrite : undefined;
  if (beta === 0) {
    if (!overwrite) cw.fill(0);
  } else {
    cw.set(c.subarray(0, size));
    if (beta !== 1) for (let i = 0; i < size; i++) cw[i]! *= beta;
  }
  if (multiply) {
    new Float32Array(buffer, aOff, m * k).set(a.subarray(0, m * k));
    new Float32Array(buffer, bOff, k * n).set(b.subarray(0, k * n));
    const transA = options?.transA ? 1 : 0;
    const transB = options?.transB ? 1 : 0;
    if (overwrite) overwrite(aOff, bOff, cOff, m, n, k, transA, transB, alpha, scratch);
    else wasm.sgemm(aOff, bOff, cOff, m, n, k, transA, transB, alpha, scratch);
  }
  c.set(cw);
  return true;
}
