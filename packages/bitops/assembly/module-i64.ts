// The scalar (i64.popcnt) kernel module: the entry the build compiles (scripts/build-wasm.mjs).
export * from "./module-i64-core";
export { gemm1x4k4, gemm2x2 } from "./bgemm-tiles-i64";
