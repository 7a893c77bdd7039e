import type { NativeFloatGemm } from "@onebit/native";
import { threadedKernel } from "./threads-hook.js";
import type { GemmExports } from "./wasm-gemm.js";

/**
 * A native float GEMM (what `loadNativeFloatGemm` of `@onebit/native` returns): C (m×n) =
 * alpha·op(A)·op(B) + beta·C on row-major Float32Arrays, read and written in place; its `threads`
 * argument counts the calling thread, and results do not depend on it.
 */
export type NativeGemm = Pick<NativeFloatGemm, "isa" | "sgemm">;

export type NativeGemmStatus = { gemm: NativeGemm; error?: undefined } | { gemm?: undefined; error: string };

// On globalThis under a registered symbol, as the thread pool: the ESM and CJS builds share it.
const KEY = Symbol.for("@onebit/tensor:native-gemm");
type Holder = { [KEY]?: NativeGemmStatus };

/**
 * Makes `gemm` and the convolutions use a native GEMM under backend `auto` (what
 * `@onebit/tensor/node` does with `@onebit/native` when it loads); an `error` status, or null,
 * keeps WebAssembly and records why for `getBackendInfo().native`.
 */
export function registerNativeGemm(status: NativeGemmStatus | null): void {
  (globalThis as Holder)[KEY] = status ?? { error: "not registered" };
}

const THREADS = Symbol.for("@onebit/tensor:native-threads");
type ThreadsHolder = { [THREADS]?: number };

/**
 * Threads a native product may use: all cores by default under `@onebit/tensor/node` (which sets
 * it with `setNativeThreads`), else `enableThreads`'s count, 1 after `disableThreads`.
 */
export function nativeThreads(): number {
  return threadedKernel()?.threads ?? (globalThis as ThreadsHolder)[THREADS] ?? 1;
}

export function setNativeThreads(count: number): void {
  (globalThis as ThreadsHolder)[THREADS] = count;
}

export function nativeGemmStatus(): NativeGemmStatus {
  return (globalThis as Holder)[KEY] ?? { error: "not registered (only @onebit/tensor/node loads it)" };
}

/**
 * The WebAssembly kernel with its GEMM replaced by the native one over the same memory (views, no
 * copy), so the convolutions' im2col/col2im stay in WebAssembly and their products run natively.
 */
export function nativeOverWasm(native: NativeGemm, wasm: GemmExports): GemmExports {
  const view = (offset: number, length: number) => new Float32Array(wasm.memory.buffer, offset, length);
  const run = (
    beta: number,
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    alpha: number,
  ) =>
    native.sgemm(
      view(a, m * k),
      view(b, k * n),
      view(c, m * n),
      m,
      n,
      k,
      transA !== 0,
      transB !== 0,
      alpha,
      beta,
    );
  return {
    ...wasm,
    memory: wasm.memory,
    heapBase: () => wasm.heapBase(),
    scratchBytes: () => wasm.scratchBytes(),
    // The WebAssembly contract: sgemm accumulates into C, sgemmOverwrite ignores its old contents.
    sgemm: (a, b, c, m, n, k, transA, transB, alpha) => run(1, a, b, c, m, n, k, transA, transB, alpha),
    sgemmOverwrite: (a, b, c, m, n, k, transA, transB, alpha) =>
      run(0, a, b, c, m, n, k, transA, transB, alpha),
  };
}
