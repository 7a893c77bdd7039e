export { type BitMatrix, createBitMatrix, lastWordMask, validateBitMatrix, wordsFor } from "./bit-matrix.js";
export { BIT_PLANES, type BitPlanes, bitPlaneDot, bitPlaneGemmRef, encodeBitPlanes } from "./bit-planes.js";
export { bgemmRef } from "./bgemm-ref.js";
export { BitopsError, type BitopsErrorCode } from "./errors.js";
export { type PackOptions, type SignSource, packSigns, packSignsMatrix, unpackSigns } from "./pack.js";
export { popcount32, popcountRange } from "./popcount.js";
export { xnorDot } from "./xnor-dot.js";
