import { TensorError } from "./errors.js";
import { type NativeGemm, nativeGemmStatus, nativeThreads } from "./native-gemm.js";
import { nativeTrainStatus } from "./native-train.js";
import { threadedKernel } from "./threads-hook.js";
import { wasmGemmKernel } from "./wasm-gemm.js";

export type GemmBackend = "native" | "wasm-simd" | "typescript";
export type BackendChoice = "auto" | GemmBackend;

export interface BackendInfo {
  /** The path large products take; tiny ones may still run in TypeScript where that is faster. */
  gemm: GemmBackend;
  /** Threads a large product runs on: 1 unless `enableThreads` (from `@onebit/tensor/node`) is on. */
  threads: number;
  /** Whether the embedded WebAssembly SIMD module validated and instantiated here. */
  simd: boolean;
  /**
   * The native float GEMM (`@onebit/tensor/node` loads it from `@onebit/native`): its ISA when
   * registered, else why not. `auto` prefers it; `enableThreads(n)` lets it split large products
   * over n threads of its own.
   */
  native: { available: boolean; isa?: string; reason?: string };
  /**
   * Where im2col/col2im, max-pooling and @onebit/nn's sign and BatchNorm passes run: `native`
   * (@onebit/native's training kernels, registered by `@onebit/tensor/node`, under backend `auto`
   * or `native`), else `default` (WebAssembly or TypeScript).
   */
  trainKernels: "native" | "default";
}

let choice: BackendChoice = "auto";

/** Whether the embedded WebAssembly SIMD kernels can run here (checked once, on first use). */
export function wasmSimdAvailable(): boolean {
  return wasmGemmKernel() !== null;
}

/** The native GEMM when registered and the choice is `auto` or `native`, else null. */
export function activeNativeGemm(): NativeGemm | null {
  if (choice !== "auto" && choice !== "native") return null;
  return nativeGemmStatus().gemm ?? null;
}

export function activeGemmBackend(): GemmBackend {
  if (choice === "typescript") return "typescript";
  if (activeNativeGemm()) return "native";
  return wasmSimdAvailable() ? "wasm-simd" : "typescript";
}

/**
 * Which GEMM path runs: `auto` (default) uses the native GEMM where registered, else WebAssembly
 * SIMD where it validates, else TypeScript; `wasm-simd` also sends tiny products to WebAssembly,
 * `native` insists on the native GEMM (both throw if unavailable).
 */
export function setBackend(name: BackendChoice): void {
  if (name !== "auto" && name !== "native" && name !== "wasm-simd" && name !== "typescript") {
    throw new TensorError("INVALID_ARGUMENT", `unknown backend ${String(name)}`);
  }
  const native = nativeGemmStatus();
  if (name === "native" && !native.gemm) {
    throw new TensorError("UNSUPPORTED", `the native GEMM is not available: ${native.error}`);
  }
  if (name === "wasm-simd" && !wasmSimdAvailable()) {
    throw new TensorError("UNSUPPORTED", "WebAssembly SIMD is not available in this runtime");
  }
  choice = name;
}

export function currentBackendChoice(): BackendChoice {
  return choice;
}

export function getBackendInfo(): BackendInfo {
  const gemm = activeGemmBackend();
  const threads =
    gemm === "wasm-simd" ? (threadedKernel()?.threads ?? 1) : gemm === "native" ? nativeThreads() : 1;
  const status = nativeGemmStatus();
  const native = status.gemm
    ? { available: true, isa: status.gemm.isa }
    : { available: false, reason: status.error };
  const trainKernels =
    (choice === "auto" || choice === "native") && nativeTrainStatus().kernels ? "native" : "default";
  return { gemm, threads, simd: wasmSimdAvailable(), native, trainKernels };
}
