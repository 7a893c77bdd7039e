import { depthwiseRows, isDepthwise } from "./depthwise-steps.js";
import type { MemoryViews } from "./memory-views.js";
import { PoolWindow } from "./pool-window.js";
import type {
  AddStep,
  AvgPoolStep,
  BconvGenericStep,
  ChannelwiseStep,
  ConcatStep,
  Conv2dGenericStep,
  PadStep,
  SignStep,
} from "./plan.js";

// Steps of graph ops in plain TypeScript (SPEC.md C.3). Float results follow the reference
// implementations of @onebit/format operation for operation (float64 where they use it, one
// rounding to float32), so they agree with it bit for bit.

/**
 * Math.min(Math.max(x, 0), hi) (hi > 0) for `count` floats, without a data-dependent branch on the
 * sign (random signs mispredict): the sign bit clears negatives and −0 to +0; NaN and values above hi
 * (both rare) take a predictable branch.
 */
function reluInto(v: MemoryViews, src: number, dst: number, count: number, hi: number): void {
  const { i32, f32 } = v;
  for (let i = 0; i < count; i++) {
    const b = i32[src + i]!;
    i32[dst + i] = b & ~(b >> 31);
    if ((b & 0x7fffffff) > 0x7f800000) f32[dst + i] = Number.NaN;
    else if (hi !== Number.POSITIVE_INFINITY && f32[dst + i]! > hi) f32[dst + i] = hi;
  }
}

/** The per-channel parameters of an elementwise map (a channelwise step, or one part of a fused step). */
export type ChannelMap = Pick<ChannelwiseStep, "fn" | "channels" | "p" | "epsilon" | "lo" | "hi">;

export function channelwiseRows(v: MemoryViews, s: ChannelwiseStep, rowStart: number, rowEnd: number): void {
  const at = rowStart * s.elements;
  applyChannelMap(
    v,
    s,
    (s.src >>> 2) + at,
    (s.dst >>> 2) + at,
    (rowEnd - rowStart) * (s.elements / s.channels),
  );
}

/**
 * A per-channel map over `count` NHWC positions from float index `src` to `dst` (equal: in place).
 * The channel loop is innermost and each map is its own loop, so the parameters are read by index
 * with no per-element dispatch or modulo. The arithmetic is the reference's, expression for
 * expression (float64, one float32 store).
 */
export function applyChannelMap(
  v: MemoryViews,
  s: ChannelMap,
  src: number,
  dst: number,
  count: number,
): void {
  const f32 = v.f32;
  const c = s.channels;
  const p0 = (s.p[0] ?? 0) >>> 2;
  const p1 = (s.p[1] ?? 0) >>> 2;
  const p2 = (s.p[2] ?? 0) >>> 2;
  const p3 = (s.p[3] ?? 0) >>> 2;
  switch (s.fn) {
    case "mul":
      for (let q = 0, i = 0; q < count; q++, i += c)
        for (let ch = 0; ch < c; ch++) f32[dst + i + ch] = f32[src + i + ch]! * f32[p0 + ch]!;
      return;
    case "batchNorm": {
      const root = new Float64Array(c);
      for (let ch = 0; ch < c; ch++) root[ch] = Math.sqrt(f32[p1 + ch]! + s.epsilon);
      for (let q = 0, i = 0; q < count; q++, i += c)
        for (let ch = 0; ch < c; ch++)
          f32[dst + i + ch] =
            ((f32[src + i + ch]! - f32[p0 + ch]!) / root[ch]!) * f32[p2 + ch]! + f32[p3 + ch]!;
      return;
    }
    case "relu":
      reluInto(v, src, dst, count * c, Number.POSITIVE_INFINITY);
      return;
    case "prelu":
      for (let q = 0, i = 0; q < count; q++, i += c)
        for (let ch = 0; ch < c; ch++) {
          const x = f32[src + i + ch]!;
          f32[dst + i + ch] = x >= 0 ? x : f32[p0 + ch]! * x;
        }
      return;
    case "rprelu":
      for (let q = 0, i = 0; q < count; q++, i += c)
        for (let ch = 0; ch < c; ch++) {
          const t = Math.fround(f32[src + i + ch]! - f32[p0 + ch]!);
          f32[dst + i + ch] = Math.fround(t >= 0 ? t : Math.fround(f32[p1 + ch]! * t)) + f32[p2 + ch]!;
        }
      return;
    case "clamp": {
      const { lo, hi } = s;
      // Only a +0 lower bound clears −0 (Math.max(−0, −0) is −0).
      if (Object.is(lo, 0) && hi > 0) reluInto(v, src, dst, count * c, hi);
      else for (let i = 0; i < count * c; i++) f32[dst + i] = Math.min(Math.max(f32[src + i]!, lo), hi);
      return;
    }
  }
}

export function addRows(v: MemoryViews, s: AddStep, rowStart: number, rowEnd: number): void {
  const f32 = v.f32;
  for (let i = rowStart * s.elements; i < rowEnd * s.elements; i++)
    f32[(s.dst >>> 2) + i] = f32[(s.a >>> 2) + i]! + f32[(s.b >>> 2) + i]!;
}

export function concatRows(v: MemoryViews, s: ConcatStep, rowStart: number, rowEnd: number): void {
  if (s.kind === "float32") {
    const f32 = v.f32;
    for (let m = rowStart; m < rowEnd; m++) {
      for (let p = 0; p < s.positions; p++) {
        let at = (s.dst >>> 2) + (m * s.positions + p) * s.channels;
        for (const src of s.sources) {
          const from = (src.ptr >>> 2) + (m * s.positions + p) * src.channels;
          // A block move for runs of channels (QuickNet's 28×28×128 concat: 0.40 → 0.15 ms), a loop
          // for a few.
          if (src.channels >= 16) f32.copyWithin(at, from, from + src.channels);
          else for (let c = 0; c < src.channels; c++) f32[at + c] = f32[from + c]!;
          at += src.channels;
        }
      }
    }
    return;
  }
  const u32 = v.u32;
  const out = s.layout!;
  for (let m = rowStart; m < rowEnd; m++) {
    const base = (s.dst >>> 2) + m * out.sampleWords;
    u32.fill(0, base, base + out.sampleWords);
    for (let p = 0; p < s.positions; p++) {
      let oc = 0;
      for (const src of s.sources) {
        const l = src.layout!;
        const from = (src.ptr >>> 2) + m * l.sampleWords + p * l.wpp;
        for (let c = 0; c < src.channels; c++, oc++) {
          if ((u32[from + (c >>> 5)]! >>> (c & 31)) & 1)
            u32[base + p * out.wpp + (oc >>> 5)]! |= 1 << (oc & 31);
        }
      }
    }
  }
}

export function signRows(v: MemoryViews, s: SignStep, rowStart: number, rowEnd: number): void {
  const l = s.layout;
  const { t, sign } = signThresholds(v, s);
  for (let m = rowStart; m < rowEnd; m++) {
    const base = (s.dst >>> 2) + m * l.sampleWords;
    v.u32.fill(0, base, base + l.sampleWords);
    signPositions(v, (s.src >>> 2) + m * l.pixels * s.channels, base, l.pixels, s.channels, l.wpp, t, sign);
  }
}

/**
 * A sign's per-channel comparison as x·sign ≥ t: a flipped channel's x ≤ t is −x ≥ −t (exact), so
 * every bit is one comparison, taken without a branch (random signs mispredict).
 */
export function signThresholds(
  v: MemoryViews,
  s: Pick<SignStep, "channels" | "thresholds" | "flip">,
): { t: Float64Array; sign: Float64Array } {
  const c = s.channels;
  const t = new Float64Array(c);
  const sign = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    sign[ch] = s.flip && v.u8[s.flip + ch] ? -1 : 1;
    t[ch] = sign[ch]! * (s.thresholds ? v.f32[(s.thresholds >>> 2) + ch]! : 0);
  }
  return { t, sign };
}

/** Bits of `positions` positions of `c` floats from float index `src` into `wpp` words each from word `dst`. */
export function signPositions(
  v: MemoryViews,
  src: number,
  dst: number,
  positions: number,
  c: number,
  wpp: number,
  t: Float64Array,
  sign: Float64Array,
): void {
  const { f32, u32, i32 } = v;
  const zero = t.every((x) => x === 0) && sign.every((x) => x === 1);
  for (let p = 0; p < positions; p++) {
    const x0 = src + p * c;
    const w0 = dst + p * wpp;
    for (let c0 = 0; c0 < c; c0 += 32) {
      const c1 = Math.min(c0 + 32, c);
      if (zero) {
        u32[w0 + (c0 >>> 5)] = zeroSignWord(i32, x0 + c0, c1 - c0);
        continue;
      }
      let word = 0;
      for (let ch = c0; ch < c1; ch++) word |= +(f32[x0 + ch]! * sign[ch]! >= t[ch]!) << (ch - c0);
      u32[w0 + (c0 >>> 5)] = word;
    }
  }
}

/**
 * Bits x ≥ 0 of `count` (≤ 32) float32 values at float index `at`, read as integers: the sign bit,
 * inverted, except −0 (≥ 0: bit set) and NaN (never ≥ 0: bit clear) — rare, taken by a branch.
 * Equal to the float comparison for every input; a float compare per bit cost V8 twice as much.
 */
export function zeroSignWord(i32: Int32Array, at: number, count: number): number {
  let word = 0;
  for (let k = 0; k < count; k++) {
    const b = i32[at + k]!;
    const magnitude = b & 0x7fffffff;
    if (magnitude === 0 || magnitude > 0x7f800000) word |= (magnitude === 0 ? 1 : 0) << k;
    else word |= (~b >>> 31) << k;
  }
  return word;
}

export function avgPoolRows(v: MemoryViews, s: AvgPoolStep, rowStart: number, rowEnd: number): void {
  const f32 = v.f32;
  const c = s.channels;
  const win = new PoolWindow(s);
  for (let r = rowStart; r < rowEnd; r++) {
    const { sample, y0, y1, x0, x1 } = win.at(r);
    const img = (s.input >>> 2) + sample * s.height * s.width * c;
    const count = (y1 - y0) * (x1 - x0);
    for (let ch = 0; ch < c; ch++) {
      let acc = 0;
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) acc += f32[img + (y * s.width + x) * c + ch]!;
      f32[(s.out >>> 2) + r * c + ch] = acc / count;
    }
  }
}

export function padRows(v: MemoryViews, s: PadStep, rowStart: number, rowEnd: number): void {
  const H = s.height + s.top + s.bottom;
  const W = s.width + s.left + s.right;
  const d = s.depth;
  const view = s.kind === "float32" ? v.f32 : v.u32;
  for (let m = rowStart; m < rowEnd; m++) {
    const dst = (s.dst >>> 2) + m * H * W * d;
    const src = (s.src >>> 2) + m * s.height * s.width * d;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const at = dst + (y * W + x) * d;
        const iy = y - s.top;
        const ix = x - s.left;
        if (iy >= 0 && iy < s.height && ix >= 0 && ix < s.width) {
          const from = src + (iy * s.width + ix) * d;
          for (let k = 0; k < d; k++) view[at + k] = view[from + k]!;
        } else if (s.fillWords) for (let k = 0; k < d; k++) view[at + k] = s.fillWords[k]!;
        else for (let k = 0; k < d; k++) view[at + k] = s.value;
      }
    }
  }
}

export function bconvGenericRows(
  v: MemoryViews,
  s: BconvGenericStep,
  rowStart: number,
  rowEnd: number,
): void {
  const { u32, i32, f32, u8 } = v;
  const outHW = s.outH * s.outW;
  const cIn = s.channels / s.groups;
  const oPer = s.n / s.groups;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const img = (s.input >>> 2) + b * s.height * s.width * s.inWpp;
    const outAt = (s.out >>> 2) + r * s.outRowWords;
    if (s.mode === "threshold") u32.fill(0, outAt, outAt + s.outRowWords);
    for (let o = 0; o < s.n; o++) {
      const g = Math.floor(o / oPer);
      let z = 0;
      for (let i = 0; i < s.kernelH; i++) {
        const y = oy * s.strideH + i * s.dilationH - s.padTop;
        for (let j = 0; j < s.kernelW; j++) {
          const x = ox * s.strideW + j * s.dilationW - s.padLeft;
          const wRow = (s.w >>> 2) + ((o * s.kernelH + i) * s.kernelW + j) * s.wWords;
          const inside = y >= 0 && y < s.height && x >= 0 && x < s.width;
          if (!inside && !s.padOne) continue;
          const px = img + (y * s.width + x) * s.inWpp;
          for (let ci = 0; ci < cIn; ci++) {
            const c = g * cIn + ci;
            const xb = inside ? (u32[px + (c >>> 5)]! >>> (c & 31)) & 1 : 1;
            const wb = (u32[wRow + (ci >>> 5)]! >>> (ci & 31)) & 1;
            z += xb === wb ? 1 : -1;
          }
        }
      }
      if (s.mode === "dot") i32[outAt + o] = z;
      else if (s.mode === "scaleBias")
        f32[outAt + o] = Math.fround(Math.fround(z * f32[(s.p0 >>> 2) + o]!) + f32[(s.p1 >>> 2) + o]!);
      else {
        const t = i32[(s.p0 >>> 2) + o]!;
        if (u8[s.p1 + o] ? z <= t : z >= t) u32[outAt + (o >>> 5)]! |= 1 << (o & 31);
      }
    }
  }
}

export function conv2dGenericRows(
  v: MemoryViews,
  s: Conv2dGenericStep,
  rowStart: number,
  rowEnd: number,
): void {
  if (isDepthwise(s)) {
    depthwiseRows(v, s, rowStart, rowEnd);
    return;
  }
  const f32 = v.f32;
  const outHW = s.outH * s.outW;
  const cIn = s.channels / s.groups;
  const oPer = s.n / s.groups;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const img = (s.x >>> 2) + b * s.height * s.width * s.channels;
    for (let o = 0; o < s.n; o++) {
      const g = Math.floor(o / oPer);
      let z = 0;
      for (let i = 0; i < s.kernelH; i++) {
        const y = oy * s.strideH + i * s.dilationH - s.padTop;
        for (let j = 0; j < s.kernelW; j++) {
          const x = ox * s.strideW + j * s.dilationW - s.padLeft;
          const inside = y >= 0 && y < s.height && x >= 0 && x < s.width;
          const wRow = (s.w >>> 2) + ((o * s.kernelH + i) * s.kernelW + j) * cIn;
          for (let ci = 0; ci < cIn; ci++) {
            const xv = inside ? f32[img + (y * s.width + x) * s.channels + g * cIn + ci]! : s.padValue;
            z += xv * f32[wRow + ci]!;
          }
        }
      }
      f32[(s.out >>> 2) + r * s.n + o] = z + (s.bias ? f32[(s.bias >>> 2) + o]! : 0);
    }
  }
}
