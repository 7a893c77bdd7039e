// The scalar (i64.popcnt) kernel module: the entry the build compiles (scripts/build-wasm.mjs).
export { gemm } from "./bgemm-1x4-i64";
export { packSigns } from "./pack-signs-i64";
export { bitPlaneGemm, planeRowSum } from "./bit-plane";
export { clearOutputRows, im2col, maxPool, setOutput } from "./epilogue";
export { gemm1x4k4, gemm2x2 } from "./bgemm-tiles-i64";
