// The SIMD (i8x16.popcnt) kernel module: the entry the build compiles (scripts/build-wasm.mjs).
export * from "./module-simd-core";
export { gemmMixed } from "./bgemm-1x4-mixed";
