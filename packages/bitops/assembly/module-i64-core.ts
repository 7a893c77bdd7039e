// The scalar (i64.popcnt) kernel module with the default GEMM tile only: what the browser build
// embeds (scripts/build-wasm.mjs); module-i64.ts adds the other tiles for the tuner and the 8-bit im2col.
export { gemm } from "./bgemm-1x4-i64";
export { packSigns } from "./pack-signs-i64";
export { bitPlaneGemm, planeRowSum } from "./bit-plane";
export { clearOutputRows, maxPool, setOutput } from "./epilogue";
export { im2col } from "./im2col";
