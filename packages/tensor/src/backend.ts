import { TensorError } from "./errors.js";
import { threadedKernel } from "./threads-hook.js";
import { wasmGemmKernel } from "./wasm-gemm.js";

export type GemmBackend = "wasm-simd" | "typescript";
export type BackendChoice = "auto" | GemmBackend;

export interface BackendInfo {
  /** The path large products take; tiny ones may still run in TypeScript where that is faster. */
  gemm: GemmBackend;
  /** Threads a large product runs on: 1 unless `enableThreads` (from `@onebit/tensor/node`) is on. */
  threads: number;
  /** Whether the embedded WebAssembly SIMD module validated and instantiated here. */
  simd: boolean;
}

let choice: BackendChoice = "auto";

/** Whether the embedded WebAssembly SIMD kernels can run here (checked once, on first use). */
export function wasmSimdAvailable(): boolean {
  return wasmGemmKernel() !== null;
}

export function activeGemmBackend(): GemmBackend {
  if (choice === "typescript") return "typescript";
  return wasmSimdAvailable() ? "wasm-simd" : "typescript";
}

/**
 * Which GEMM path runs: `auto` (default) uses WebAssembly SIMD where it validates and TypeScript
 * otherwise; `wasm-simd` also sends tiny products to WebAssembly (throws if unavailable).
 */
export function setBackend(name: BackendChoice): void {
  if (name !== "auto" && name !== "wasm-simd" && name !== "typescript") {
    throw new TensorError("INVALID_ARGUMENT", `unknown backend ${String(name)}`);
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
  const threads = gemm === "wasm-simd" ? (threadedKernel()?.threads ?? 1) : 1;
  return { gemm, threads, simd: wasmSimdAvailable() };
}
