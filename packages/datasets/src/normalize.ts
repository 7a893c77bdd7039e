import { DatasetError } from "./errors.js";

export type NormalizeRange = "[-1,1]" | "[0,1]";

export interface NormalizeOptions {
  /** Target range for bytes 0…255. Default "[-1,1]" (x/127.5 − 1), the BNN paper's input scaling. */
  to?: NormalizeRange;
  /** Write here instead of allocating (length ≥ pixels.length), e.g. to reuse a batch buffer. */
  out?: Float32Array;
}

/** Maps 8-bit pixels linearly to floats: 0 → −1 (or 0) and 255 → 1. */
export function normalize(pixels: Uint8Array, options: NormalizeOptions = {}): Float32Array {
  const to = options.to ?? "[-1,1]";
  if (to !== "[-1,1]" && to !== "[0,1]") {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `normalize: "to" must be "[-1,1]" or "[0,1]", got ${String(to)}`,
    );
  }
  const out = options.out ?? new Float32Array(pixels.length);
  if (out.length < pixels.length) {
    throw new DatasetError(
      "INVALID_ARGUMENT",
      `normalize: out holds ${out.length} values but there are ${pixels.length} pixels`,
    );
  }
  // A 256-entry table makes each pixel one lookup and gives identical values for identical bytes.
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = to === "[0,1]" ? v / 255 : v / 127.5 - 1;
  for (let i = 0; i < pixels.length; i++) out[i] = table[pixels[i]!]!;
  return out;
}
