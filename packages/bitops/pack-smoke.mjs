// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import { bgemmRef, packSignsMatrix, xnorDot, packSigns } from "@onebit/bitops";

const a = packSigns(Float32Array.from([1, -1, 1, 1]));
const b = packSigns(Float32Array.from([1, 1, -1, 1]));
if (xnorDot(a.data, b.data, 4) !== 0) throw new Error("xnorDot gave a wrong answer");
const c = bgemmRef(packSignsMatrix([1, -1, -1, 1], 2, 2), packSignsMatrix([1, 1], 1, 2));
if (c[0] !== 0 || c[1] !== 0) throw new Error("bgemmRef gave a wrong answer");
console.log("@onebit/bitops smoke: ok");
