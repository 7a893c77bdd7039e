// The scalar (i64.popcnt) kernel module: the entry the build compiles (scripts/build-wasm.mjs).
export * from "./module-i64-core";
export { gemm1x4k4, gemm2x2 } from "./bgemm-tiles-i64";
// The 8-bit im2col (1.5 KB): in the browser build only the lazily loaded SIMD module has it; the
// scalar module there leaves that step to im2colPlanesRows (TypeScript), which gives the same bytes.
export { planeIm2col } from "./plane-im2col";
export { byteConv, byteConvMasks } from "./byte-conv";
export { foldIm2col, foldPanels } from "./half-word-conv";
