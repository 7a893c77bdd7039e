import type { WasmBackend } from "../kernels/gemm-tiles.js";
import { i64SharedWasm, i64Wasm, simdSharedWasm, simdWasm } from "./kernels.generated.js";

// The embedded kernel modules (base64), for a plain or a shared memory. In this build every module
// is present from the start; the browser build (module-text.browser.ts) loads the SIMD ones on demand.

/** The base64 bytes of a backend's module (undefined where this build has not loaded it yet). */
export function moduleText(backend: WasmBackend, shared: boolean): string | undefined {
  if (backend === "wasm-simd") return shared ? simdSharedWasm : simdWasm;
  return shared ? i64SharedWasm : i64Wasm;
}

/** Loads the modules this build keeps out of its first chunk; true when something new loaded. */
export async function loadModuleTexts(): Promise<boolean> {
  return false;
}
