// The SIMD (i8x16.popcnt) kernel module: the entry the build compiles (scripts/build-wasm.mjs).
export { gemm } from "./bgemm-2x4-simd";
export { packSigns } from "./pack-signs-simd";
export { bitPlaneGemm, planeRowSum } from "./bit-plane";
export { clearOutputRows, im2col, maxPool, setOutput } from "./epilogue";
export { gemmMixed } from "./bgemm-1x4-mixed";
