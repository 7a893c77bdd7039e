import type { WasmBackend } from "../kernels/gemm-tiles.js";
import { i64SharedWasm, i64Wasm } from "./kernels-browser.generated.js";

// The browser build's stand-in for module-text.ts (see tsup.config.ts): the scalar modules are in
// the package's first chunk, the SIMD ones (~1.5 KB gzipped) in a chunk that `initBitops` imports.
// Until then wasm-simd reports unsupported and "auto" picks wasm-i64; `initBitops` then forgets
// that choice, so the next `getBackendInfo` compares both.

let simd: typeof import("./kernels-browser-simd.generated.js") | undefined;

export function moduleText(backend: WasmBackend, shared: boolean): string | undefined {
  if (backend === "wasm-i64") return shared ? i64SharedWasm : i64Wasm;
  return simd && (shared ? simd.simdSharedWasm : simd.simdWasm);
}

export async function loadModuleTexts(): Promise<boolean> {
  if (simd) return false;
  simd = await import("./kernels-browser-simd.generated.js");
  return true;
}
