// nn's WebAssembly SIMD kernels, compiled into one module by scripts/build-wasm.mjs.
export { adam } from "./adam";
export { channelSums, normalize, normalizeBackward } from "./batch-norm";
export { packSignPanels, signsMaxAbs } from "./signs";

/** The first byte free for the caller's buffers (past this module's static data). */
export function heapBase(): usize {
  return __heap_base;
}
