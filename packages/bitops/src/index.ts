export { type BitMatrix, createBitMatrix, lastWordMask, validateBitMatrix, wordsFor } from "./bit-matrix.js";
export { BIT_PLANES, type BitPlanes, bitPlaneDot, bitPlaneGemmRef, encodeBitPlanes } from "./bit-planes.js";
export { bgemmRef } from "./bgemm-ref.js";
export { BitopsError, type BitopsErrorCode } from "./errors.js";
export { type PackOptions, type SignSource, packSigns, packSignsMatrix, unpackSigns } from "./pack.js";
export { popcount32, popcountRange } from "./popcount.js";
export { xnorDot } from "./xnor-dot.js";
export type { WordSource } from "./word-source.js";

// Kernel layouts and the high-level kernels.
export {
  KERNEL_ALIGN,
  KERNEL_WORD_MULTIPLE,
  PANEL_COLUMNS,
  kernelRowWords,
  panelCount,
} from "./kernel-layout.js";
export { type PackedWeights, prepackWeights, unprepackWeights } from "./packed-weights.js";
export {
  bgemm,
  bgemmScaleBias,
  bgemmThreshold,
  bitPlaneGemm,
  bitPlaneGemmScaleBias,
  bitPlaneGemmThreshold,
} from "./gemm.js";
export { scaleBiasRef, thresholdRef } from "./epilogue-ref.js";
export {
  type PackedImages,
  createPackedImages,
  packImages,
  unpackImages,
  validatePackedImages,
} from "./packed-images.js";
export {
  type ConvWeights,
  packConvWeights,
  prepackConvWeights,
  unprepackConvWeights,
} from "./conv-weights.js";
export { type Conv2dOptions, type Padding, type WindowGeometry, windowGeometry } from "./conv-geometry.js";
export {
  type Pool2dOptions,
  bconv2d,
  bconv2dScaleBias,
  bconv2dThreshold,
  bmaxPool2d,
  conv2dGeometry,
  poolGeometry,
} from "./conv.js";
export { bconv2dRef, bmaxPool2dRef } from "./conv-ref.js";

// Backend selection and the low-level pointer API.
export {
  type BackendChoice,
  type BackendInfo,
  createKernels,
  getBackendInfo,
  initBitops,
  registerNativeAddon,
  setBackend,
  setGemmTile,
} from "./backend.js";
export {
  DEFAULT_GEMM_TILE,
  GEMM_TILES,
  type GemmTile,
  type GemmTileInfo,
  type WasmBackend,
} from "./kernels/gemm-tiles.js";
export type { GemmTuning } from "./kernels/gemm-tuner.js";
export {
  NATIVE_ABI,
  type NativeAddon,
  type NativeIsa,
  type NativeRegistration,
  type NativeStatus,
} from "./kernels/native-addon.js";
export { BitopsHeap } from "./heap.js";
export type {
  BitopsKernels,
  ConvArgs,
  GemmArgs,
  KernelBackend,
  OutputMode,
  PackArgs,
  PlaneConvArgs,
  PoolArgs,
} from "./kernels/kernel-args.js";
export { im2colPlanesRows } from "./plane-im2col.js";
export {
  compileKernelModule,
  compileKernelModuleAsync,
  instantiateWasmKernels,
  isSharedMemory,
  kernelModuleBytes,
  wasmBackendSupported,
} from "./kernels/wasm-kernels.js";
export { createTypeScriptKernels } from "./kernels/ts-kernels.js";
