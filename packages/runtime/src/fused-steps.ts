import { type ChannelMap, applyChannelMap, signPositions, signThresholds } from "./graph-steps.js";
import type { MemoryViews } from "./memory-views.js";
import type { BitsLayout } from "./plan.js";

/** One elementwise part of a fused step: a per-channel map, or the add of another float value. */
export type FusedPart =
  | ({ readonly kind: "map" } & ChannelMap)
  | { readonly kind: "add"; readonly other: number };

/**
 * A chain of elementwise float steps run as one pass (elementwise-fusion.ts): per-channel maps and
 * adds applied in order, each result rounded to float32 as the separate steps store it, the final
 * value written to `dst` and, when a sign followed, compared into packed bits in the same pass.
 * The values between the parts are never written. Rows are samples.
 */
export interface FusedElementwiseStep {
  readonly op: "fusedElementwise";
  /** The last fused node (its name is what errors and profiles show). */
  readonly node: string;
  /** Every node whose steps this one replaces, in order. */
  readonly fused: readonly string[];
  readonly rowsPerSample: number;
  readonly costPerRow: number;
  /** Float32 input of the first part (for a leading add: its first operand). */
  readonly src: number;
  readonly dst: number;
  readonly elements: number;
  readonly channels: number;
  readonly parts: readonly FusedPart[];
  /** A trailing sign: bit = flip ? x ≤ t : x ≥ t of the final value (thresholds 0: none). */
  readonly sign?: {
    readonly dst: number;
    readonly thresholds: number;
    readonly flip: number;
    readonly layout: BitsLayout;
  };
}

/** Floats per chunk: every part runs over one chunk while it is in L1. */
const CHUNK_FLOATS = 2048;

/**
 * Samples [rowStart, rowEnd) of a fused step, a chunk of whole positions at a time: the first part
 * reads `src` into `dst`, the others work in place on `dst` (the compiler keeps every value the
 * chain reads or writes alive across it, so none shares memory with another), then the sign.
 */
export function fusedElementwiseRows(
  v: MemoryViews,
  s: FusedElementwiseStep,
  rowStart: number,
  rowEnd: number,
): void {
  const f32 = v.f32;
  const c = s.channels;
  const positions = s.elements / c;
  const chunk = Math.max(1, Math.floor(CHUNK_FLOATS / c));
  const sign = s.sign;
  const compare = sign
    ? signThresholds(v, { channels: c, thresholds: sign.thresholds, flip: sign.flip })
    : undefined;
  for (let m = rowStart; m < rowEnd; m++) {
    const sample = m * s.elements;
    if (sign) {
      const base = (sign.dst >>> 2) + m * sign.layout.sampleWords;
      v.u32.fill(0, base, base + sign.layout.sampleWords);
    }
    for (let p0 = 0; p0 < positions; p0 += chunk) {
      const count = Math.min(chunk, positions - p0);
      const dst = (s.dst >>> 2) + sample + p0 * c;
      let from = (s.src >>> 2) + sample + p0 * c;
      for (const part of s.parts) {
        if (part.kind === "map") applyChannelMap(v, part, from, dst, count);
        else {
          const other = (part.other >>> 2) + sample + p0 * c;
          for (let i = 0; i < count * c; i++) f32[dst + i] = f32[from + i]! + f32[other + i]!;
        }
        from = dst;
      }
      if (sign && compare) {
        const words = (sign.dst >>> 2) + m * sign.layout.sampleWords + p0 * sign.layout.wpp;
        signPositions(v, dst, words, count, c, sign.layout.wpp, compare.t, compare.sign);
      }
    }
  }
}
