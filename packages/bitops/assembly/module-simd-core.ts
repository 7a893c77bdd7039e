// The SIMD (i8x16.popcnt) kernel module with the default GEMM tile only: what the browser build
// embeds (scripts/build-wasm.mjs); module-simd.ts adds the other tiles for the tuner.
export { gemm } from "./bgemm-2x4-simd";
export { packSigns } from "./pack-signs-simd";
export { bitPlaneGemm, planeRowSum } from "./bit-plane";
export { clearOutputRows, maxPool, setOutput } from "./epilogue";
export { im2col } from "./im2col";
export { planeIm2col } from "./plane-im2col";
export { byteConv, byteConvMasks } from "./byte-conv";
export { foldIm2col, foldPanels } from "./half-word-conv";
