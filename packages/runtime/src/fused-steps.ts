import {
  type ChannelMap,
  applyChannelMap,
  signPositions,
  signThresholds,
  zeroSignWord,
} from "./graph-steps.js";
import type { MemoryViews } from "./memory-views.js";
import type { BitsLayout, ChannelwiseStep, SignStep, Step } from "./plan.js";

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
  const pattern = singlePass(s.parts);
  if (pattern) affineRows(v, s, pattern, rowStart, rowEnd);
  else fusedElementwiseRowsReference(v, s, rowStart, rowEnd);
}

/** The parts one after another as the separate steps compute them (the reference of the single pass). */
export function fusedElementwiseRowsReference(
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

/**
 * The parts of the common runs (clamp? → batchNorm|mul? → add? → clamp? → prelu?), for one loop over
 * the elements (Bi-Real blocks end add → prelu).
 */
export interface SinglePass {
  readonly clamp?: ChannelMap;
  readonly scale?: ChannelMap;
  readonly other?: number;
  readonly clampAfter?: ChannelMap;
  readonly prelu?: ChannelMap;
}

const isClamp = (p: FusedPart | undefined): p is { kind: "map" } & ChannelMap =>
  p?.kind === "map" && (p.fn === "clamp" || p.fn === "relu");

/** The run as a `SinglePass`, or undefined when its parts do not follow that order. */
export function singlePass(parts: readonly FusedPart[]): SinglePass | undefined {
  let k = 0;
  const take = <T extends FusedPart>(ok: (p: FusedPart | undefined) => p is T): T | undefined =>
    ok(parts[k]) ? (parts[k++] as T) : undefined;
  const clamp = take(isClamp);
  const scale = take(
    (p): p is { kind: "map" } & ChannelMap => p?.kind === "map" && (p.fn === "batchNorm" || p.fn === "mul"),
  );
  const add = take((p): p is { kind: "add"; other: number } => p?.kind === "add");
  const clampAfter = take(isClamp);
  const prelu = take((p): p is { kind: "map" } & ChannelMap => p?.kind === "map" && p.fn === "prelu");
  if (k !== parts.length) return undefined;
  return {
    ...(clamp ? { clamp } : {}),
    ...(scale ? { scale } : {}),
    ...(add ? { other: add.other } : {}),
    ...(clampAfter ? { clampAfter } : {}),
    ...(prelu ? { prelu } : {}),
  };
}

/**
 * A standalone channelwise step as a one-part fused step (no add, no sign), so the glue's affine
 * kernels run it; undefined for the maps they do not cover (rprelu).
 */
export function channelwiseAsFused(s: ChannelwiseStep): FusedElementwiseStep | undefined {
  if (s.fn === "rprelu") return undefined;
  const { fn, channels, p, epsilon, lo, hi } = s;
  return oneStep(s, s.dst, s.elements, [{ kind: "map", fn, channels, p, epsilon, lo, hi }]);
}

/**
 * A standalone sign (of a value no chain ends in, e.g. a concat's) as a fused step with no parts that
 * writes its float value back where it is (dst = src: the glue skips that store) and the bits.
 */
export function signAsFused(s: SignStep): FusedElementwiseStep {
  const sign = { dst: s.dst, thresholds: s.thresholds, flip: s.flip, layout: s.layout };
  return { ...oneStep(s, s.src, s.layout.pixels * s.channels, []), sign };
}

/** One step's fused form: its name, rows, cost, input and channels. */
function oneStep(
  s: ChannelwiseStep | SignStep,
  dst: number,
  elements: number,
  parts: FusedPart[],
): FusedElementwiseStep {
  const { node, rowsPerSample, costPerRow, src, channels } = s;
  return {
    op: "fusedElementwise",
    node,
    fused: [node],
    rowsPerSample,
    costPerRow,
    src,
    dst,
    elements,
    channels,
    parts,
  };
}

/**
 * A step the float glues (native and WebAssembly) run with their affine kernel, as a fused step:
 * itself, or a standalone channelwise or sign as one; undefined for other kinds and rprelu maps.
 */
export function asFusedStep(s: Step): FusedElementwiseStep | undefined {
  if (s.op === "fusedElementwise") return s;
  if (s.op === "channelwise") return channelwiseAsFused(s);
  if (s.op === "sign") return signAsFused(s);
  return undefined;
}

/** [lo, hi] of a clamp or relu map (no map: ±∞). */
export function bounds(m: ChannelMap | undefined): [number, number] {
  if (!m) return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  return m.fn === "relu" ? [0, Number.POSITIVE_INFINITY] : [m.lo, m.hi];
}

/**
 * A `SinglePass` run in one loop: each element goes through the parts in registers with the
 * arithmetic of the separate steps (clamp exact; batchNorm ((x − μ)/√(σ² + ε))·γ + β and mul x·s in
 * float64, each rounded to float32 as its step stores it; the add in float64, rounded; prelu
 * x ≥ 0 ? x : α·x, rounded), so the values and bits equal the unfused steps' bit for bit.
 * Math.max(−0, 0) is +0, as relu's is.
 */
function affineRows(
  v: MemoryViews,
  s: FusedElementwiseStep,
  pass: SinglePass,
  rowStart: number,
  rowEnd: number,
): void {
  const { f32, u32 } = v;
  const c = s.channels;
  const positions = s.elements / c;
  const [lo, hi] = bounds(pass.clamp);
  const [lo2, hi2] = bounds(pass.clampAfter);
  const clamp = pass.clamp !== undefined;
  const clampAfter = pass.clampAfter !== undefined;
  // x·a then (for batchNorm) − μ first: keep the reference's order, so a and b are not folded.
  const bn = pass.scale?.fn === "batchNorm";
  const mul = pass.scale?.fn === "mul";
  const mean = new Float64Array(c);
  const root = new Float64Array(c).fill(1);
  const gamma = new Float64Array(c).fill(1);
  const beta = new Float64Array(c);
  if (pass.scale) {
    const [p0, p1, p2, p3] = pass.scale.p.map((p) => p >>> 2) as [number, number, number, number];
    for (let ch = 0; ch < c; ch++) {
      if (bn) {
        mean[ch] = f32[p0 + ch]!;
        root[ch] = Math.sqrt(f32[p1 + ch]! + pass.scale.epsilon);
        gamma[ch] = f32[p2 + ch]!;
        beta[ch] = f32[p3 + ch]!;
      } else gamma[ch] = f32[p0 + ch]!;
    }
  }
  // x·s + o written as a batchNorm (mean 0, variance + ε exactly 1: LCE imports) divides by 1:
  // (x − 0)/1 is x exactly, so the subtraction and the division are skipped.
  const plain = bn && mean.every((m) => m === 0) && root.every((r) => r === 1);
  const prelu = pass.prelu !== undefined;
  const alpha = new Float64Array(c);
  if (pass.prelu) for (let ch = 0; ch < c; ch++) alpha[ch] = f32[(pass.prelu.p[0]! >>> 2) + ch]!;
  const hasOther = pass.other !== undefined;
  const sign = s.sign;
  const cmp = sign
    ? signThresholds(v, { channels: c, thresholds: sign.thresholds, flip: sign.flip })
    : undefined;
  const t = cmp?.t ?? new Float64Array(c);
  const flip = cmp?.sign ?? new Float64Array(c);
  const wpp = sign?.layout.wpp ?? 0;
  const zero = sign !== undefined && sign.thresholds === 0 && sign.flip === 0;
  if (plain && !clampAfter && !prelu && (!sign || zero)) {
    clampAffineRows(v, s, lo, hi, gamma, beta, pass.other, rowStart, rowEnd);
    return;
  }
  for (let m = rowStart; m < rowEnd; m++) {
    const src = (s.src >>> 2) + m * s.elements;
    const dst = (s.dst >>> 2) + m * s.elements;
    const other = ((pass.other ?? 0) >>> 2) + m * s.elements;
    const words = sign ? (sign.dst >>> 2) + m * sign.layout.sampleWords : 0;
    if (sign) u32.fill(0, words, words + sign.layout.sampleWords);
    for (let p = 0, i = 0; p < positions; p++) {
      for (let c0 = 0; c0 < c; c0 += 32) {
        const c1 = Math.min(c0 + 32, c);
        let word = 0;
        for (let ch = c0; ch < c1; ch++, i++) {
          let y = f32[src + i]!;
          if (clamp) y = Math.min(Math.max(y, lo), hi);
          if (plain) y = Math.fround(y * gamma[ch]! + beta[ch]!);
          else if (bn) y = Math.fround(((y - mean[ch]!) / root[ch]!) * gamma[ch]! + beta[ch]!);
          else if (mul) y = Math.fround(y * gamma[ch]!);
          if (hasOther) y = Math.fround(y + f32[other + i]!);
          if (clampAfter) y = Math.min(Math.max(y, lo2), hi2);
          if (prelu && !(y >= 0)) y = Math.fround(alpha[ch]! * y);
          f32[dst + i] = y;
        }
        if (!sign) continue;
        const at = dst + i - (c1 - c0);
        if (zero) word = zeroSignWord(v.i32, at, c1 - c0);
        else
          for (let ch = c0; ch < c1; ch++)
            word |= (f32[at + ch - c0]! * flip[ch]! >= t[ch]! ? 1 : 0) << (ch - c0);
        u32[words + p * wpp + (c0 >>> 5)] = word;
      }
    }
  }
}

/**
 * `affineRows` for its most common run — clamp, x·γ + β (a plain batchNorm), an optional add, an
 * optional sign at 0 — as loops with no per-element flags: 32 values at a time, then their sign bits
 * from the stored floats. Same arithmetic, same results.
 */
function clampAffineRows(
  v: MemoryViews,
  s: FusedElementwiseStep,
  lo: number,
  hi: number,
  gamma: Float64Array,
  beta: Float64Array,
  otherPtr: number | undefined,
  rowStart: number,
  rowEnd: number,
): void {
  const { f32, u32, i32 } = v;
  const c = s.channels;
  const positions = s.elements / c;
  const sign = s.sign;
  const wpp = sign ? sign.layout.wpp : 0;
  for (let m = rowStart; m < rowEnd; m++) {
    const src = (s.src >>> 2) + m * s.elements;
    const dst = (s.dst >>> 2) + m * s.elements;
    const words = sign ? (sign.dst >>> 2) + m * sign.layout.sampleWords : 0;
    if (sign) u32.fill(0, words, words + sign.layout.sampleWords);
    for (let p = 0; p < positions; p++) {
      const at = p * c;
      if (otherPtr === undefined)
        for (let ch = 0; ch < c; ch++)
          f32[dst + at + ch] = Math.min(Math.max(f32[src + at + ch]!, lo), hi) * gamma[ch]! + beta[ch]!;
      else {
        const other = (otherPtr >>> 2) + m * s.elements + at;
        for (let ch = 0; ch < c; ch++)
          f32[dst + at + ch] =
            Math.fround(Math.min(Math.max(f32[src + at + ch]!, lo), hi) * gamma[ch]! + beta[ch]!) +
            f32[other + ch]!;
      }
      if (sign)
        for (let c0 = 0; c0 < c; c0 += 32)
          u32[words + p * wpp + (c0 >>> 5)] = zeroSignWord(i32, dst + at + c0, Math.min(32, c - c0));
    }
  }
}
