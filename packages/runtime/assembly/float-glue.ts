// The float glue of graph models for the WebAssembly backends, compiled by AssemblyScript
// (scripts/build-wasm.mjs) over the engine's own memory (imported; pointers are byte offsets):
// float/grouped/depthwise convolutions and dense layers, the fused clamp → affine → add → clamp →
// sign chain, float max-pool. Each is bit-identical to the runtime's TypeScript step: float64
// arithmetic in the same order, rounded to float32 where the step stores, and f64.max/f64.min,
// which are JavaScript's Math.max/Math.min (NaN wins, +0 above −0). No static data: instantiating
// the module writes nothing into the engine's memory.

// @ts-expect-error: decorator
@inline
function ld(p: usize): f64 {
  return <f64>load<f32>(p);
}

/** The weights of two consecutive outputs (rows `stride` bytes apart) at one tap, as doubles. */
// @ts-expect-error: decorator
@inline
function weightPair(q: usize, stride: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_lane(q + stride, v128.load32_zero(q), 1));
}

/**
 * Output pixels [r0, r1) of an NHWC float convolution with weights [o][kh][kw][cin] (cin =
 * channels / groups), dilation, padding read as `pad`: out = float(Σ taps ascending + bias).
 */
export function conv(
  x: usize,
  w: usize,
  bias: usize,
  out: usize,
  height: i32,
  width: i32,
  channels: i32,
  n: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  groups: i32,
  pad: f64,
  r0: i32,
  r1: i32,
): void {
  const cin = channels / groups;
  const per = n / groups;
  const taps = kh * kw * cin;
  const outHW = outH * outW;
  for (let r = r0; r < r1; r++) {
    const b = r / outHW;
    const rem = r - b * outHW;
    const oy = rem / outW;
    const ox = rem - oy * outW;
    const img = x + (<usize>b * <usize>height * <usize>width * <usize>channels) * 4;
    const y0 = oy * sh - padTop;
    const x0 = ox * sw - padLeft;
    const inside = y0 >= 0 && x0 >= 0 && y0 + (kh - 1) * dh < height && x0 + (kw - 1) * dw < width;
    const dst = out + <usize>r * <usize>n * 4;
    let o = 0;
    // Eight outputs of one group at a time in four f64x2 sums: four independent addition chains
    // instead of the quad's scalar ones, each lane still summing its taps in order.
    if (groups == 1 || per % 8 == 0)
      for (; o + 8 <= n; o += 8) {
        const g = o / per;
        const stride = <usize>taps * 4;
        const wa = w + <usize>o * stride;
        let a01 = f64x2.splat(0);
        let a23 = f64x2.splat(0);
        let a45 = f64x2.splat(0);
        let a67 = f64x2.splat(0);
        let t: usize = 0;
        for (let i = 0; i < kh; i++) {
          const iy = y0 + i * dh;
          for (let j = 0; j < kw; j++) {
            const ix = x0 + j * dw;
            const ok = inside || (iy >= 0 && iy < height && ix >= 0 && ix < width);
            const px = ok ? img + ((<usize>iy * <usize>width + <usize>ix) * <usize>channels + <usize>(g * cin)) * 4 : 0;
            for (let ci = 0; ci < cin; ci++, t += 4) {
              const v = f64x2.splat(ok ? ld(px + (<usize>ci << 2)) : pad);
              const q = wa + t;
              a01 = f64x2.add(a01, f64x2.mul(v, weightPair(q, stride)));
              a23 = f64x2.add(a23, f64x2.mul(v, weightPair(q + 2 * stride, stride)));
              a45 = f64x2.add(a45, f64x2.mul(v, weightPair(q + 4 * stride, stride)));
              a67 = f64x2.add(a67, f64x2.mul(v, weightPair(q + 6 * stride, stride)));
            }
          }
        }
        const d = dst + (<usize>o << 2);
        if (bias) {
          const b = bias + (<usize>o << 2);
          a01 = f64x2.add(a01, f64x2.promote_low_f32x4(v128.load64_zero(b)));
          a23 = f64x2.add(a23, f64x2.promote_low_f32x4(v128.load64_zero(b + 8)));
          a45 = f64x2.add(a45, f64x2.promote_low_f32x4(v128.load64_zero(b + 16)));
          a67 = f64x2.add(a67, f64x2.promote_low_f32x4(v128.load64_zero(b + 24)));
        }
        v128.store64_lane(d, f32x4.demote_f64x2_zero(a01), 0);
        v128.store64_lane(d + 8, f32x4.demote_f64x2_zero(a23), 0);
        v128.store64_lane(d + 16, f32x4.demote_f64x2_zero(a45), 0);
        v128.store64_lane(d + 24, f32x4.demote_f64x2_zero(a67), 0);
      }
    // Four outputs of one group at a time share each input load (sums still in tap order).
    const quad = groups == 1 || per % 4 == 0;
    if (quad)
      for (; o + 4 <= n; o += 4) {
        const g = o / per;
        const wa = w + <usize>o * <usize>taps * 4;
        const stride = <usize>taps * 4;
        let a0: f64 = 0;
        let a1: f64 = 0;
        let a2: f64 = 0;
        let a3: f64 = 0;
        let t: usize = 0;
        for (let i = 0; i < kh; i++) {
          const iy = y0 + i * dh;
          for (let j = 0; j < kw; j++) {
            const ix = x0 + j * dw;
            const ok = inside || (iy >= 0 && iy < height && ix >= 0 && ix < width);
            const px = ok ? img + ((<usize>iy * <usize>width + <usize>ix) * <usize>channels + <usize>(g * cin)) * 4 : 0;
            for (let ci = 0; ci < cin; ci++, t += 4) {
              const v = ok ? ld(px + (<usize>ci << 2)) : pad;
              a0 += v * ld(wa + t);
              a1 += v * ld(wa + stride + t);
              a2 += v * ld(wa + 2 * stride + t);
              a3 += v * ld(wa + 3 * stride + t);
            }
          }
        }
        if (bias) {
          a0 += ld(bias + (<usize>o << 2));
          a1 += ld(bias + (<usize>(o + 1) << 2));
          a2 += ld(bias + (<usize>(o + 2) << 2));
          a3 += ld(bias + (<usize>(o + 3) << 2));
        }
        store<f32>(dst + (<usize>o << 2), <f32>a0);
        store<f32>(dst + (<usize>(o + 1) << 2), <f32>a1);
        store<f32>(dst + (<usize>(o + 2) << 2), <f32>a2);
        store<f32>(dst + (<usize>(o + 3) << 2), <f32>a3);
      }
    for (; o < n; o++) {
      const g = o / per;
      const wo = w + <usize>o * <usize>taps * 4;
      let acc: f64 = 0;
      let t = 0;
      for (let i = 0; i < kh; i++) {
        const iy = y0 + i * dh;
        for (let j = 0; j < kw; j++) {
          const ix = x0 + j * dw;
          if (inside || (iy >= 0 && iy < height && ix >= 0 && ix < width)) {
            const px = img + ((<usize>iy * <usize>width + <usize>ix) * <usize>channels + <usize>(g * cin)) * 4;
            for (let ci = 0; ci < cin; ci++, t++) acc += ld(px + (<usize>ci << 2)) * ld(wo + (<usize>t << 2));
          } else for (let ci = 0; ci < cin; ci++, t++) acc += pad * ld(wo + (<usize>t << 2));
        }
      }
      if (bias) acc += ld(bias + (<usize>o << 2));
      store<f32>(dst + (<usize>o << 2), <f32>acc);
    }
  }
}

/** Rounds each lane to float32 and back, as a step that stores float32 does. */
// @ts-expect-error: decorator
@inline
function round32(y: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(y));
}

/** Lanes 2 and 3 of four floats as two doubles. */
// @ts-expect-error: decorator
@inline
function promoteHigh(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<i32>(x, x, 2, 3, 2, 3));
}

/**
 * The chain on one half (two channels) of a group of four: the scalar loop's arithmetic lane by
 * lane (f64x2.max/min are f64.max/min per lane; float64, rounded to float32 where a step stores).
 */
// @ts-expect-error: decorator
@inline
function chain2(
  y: v128,
  o: v128,
  mu: v128,
  s: v128,
  g: v128,
  beta: v128,
  mode: i32,
  clamp: i32,
  lo: v128,
  hi: v128,
  other: usize,
  after: i32,
  lo2: v128,
  hi2: v128,
  prelu: usize,
  alpha: v128,
): v128 {
  if (clamp) y = f64x2.min(f64x2.max(y, lo), hi);
  if (mode == 1) y = round32(f64x2.add(f64x2.mul(y, g), beta));
  else if (mode == 2) y = round32(f64x2.add(f64x2.mul(f64x2.div(f64x2.sub(y, mu), s), g), beta));
  else if (mode == 3) y = round32(f64x2.mul(y, g));
  if (other) y = round32(f64x2.add(y, o));
  if (after) y = f64x2.min(f64x2.max(y, lo2), hi2);
  // prelu: y ≥ 0 (−0 too) kept, else α·y rounded (NaN fails the compare and stays NaN).
  if (prelu) y = v128.bitselect(y, round32(f64x2.mul(alpha, y)), f64x2.ge(y, f64x2.splat(0)));
  return y;
}

/**
 * `positions` NHWC positions of `c` floats through clamp? → (x·γ + β | ((x − μ)/√(σ² + ε))·γ + β |
 * x·γ)? → + other? → clamp?, each step rounded to float32 as the unfused steps store it; with `bits`,
 * the sign of each stored value (flip ? v ≤ τ : v ≥ τ, or v ≥ 0 without thresholds) into `wpp`
 * words per position. mode: 0 none, 1 x·γ + β (γ at p2, β at p3), 2 batchNorm (μ p0, σ² p1, γ p2,
 * β p3), 3 x·γ (γ at p2). clamp/after: 0 none, 1 [lo, hi] / [lo2, hi2]. prelu: α (float32 per
 * channel) of a trailing prelu x ≥ 0 ? x : α·x, or 0 for none.
 *
 * Four channels at a time in v128 (two float64 lanes per half), the sign bits of a group taken from
 * its stored floats by one compare and bitmask; V8's scalar code for this chain spent ~90
 * instructions per element (index arithmetic, spills, compare-and-jump f64.max/min). Channels past
 * the last group of four run the same arithmetic in scalar code.
 */
export function affine(
  src: usize,
  other: usize,
  dst: usize,
  positions: i32,
  c: i32,
  mode: i32,
  clamp: i32,
  lo: f64,
  hi: f64,
  after: i32,
  lo2: f64,
  hi2: f64,
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  epsilon: f64,
  bits: usize,
  wpp: i32,
  thresholds: usize,
  flip: usize,
  prelu: usize,
): void {
  const vlo = f64x2.splat(lo);
  const vhi = f64x2.splat(hi);
  const vlo2 = f64x2.splat(lo2);
  const vhi2 = f64x2.splat(hi2);
  const veps = f64x2.splat(epsilon);
  const zero = f64x2.splat(0);
  for (let p = 0; p < positions; p++) {
    const base = <usize>p * <usize>c * 4;
    const words = bits + <usize>p * <usize>wpp * 4;
    for (let c0 = 0; c0 < c; c0 += 32) {
      const count = min(32, c - c0);
      let word: u32 = 0;
      let q = 0;
      for (; q + 4 <= count; q += 4) {
        const k = <usize>(c0 + q) << 2;
        const e = base + k;
        const x = v128.load(src + e);
        const o = other ? v128.load(other + e) : zero;
        // Each half's parameters (channels 0–1 and 2–3 of the group) as doubles.
        let gA = zero;
        let gB = zero;
        let betaA = zero;
        let betaB = zero;
        let muA = zero;
        let muB = zero;
        let sA = zero;
        let sB = zero;
        if (mode != 0) {
          const g4 = v128.load(p2 + k);
          gA = f64x2.promote_low_f32x4(g4);
          gB = promoteHigh(g4);
        }
        if (mode == 1 || mode == 2) {
          const b4 = v128.load(p3 + k);
          betaA = f64x2.promote_low_f32x4(b4);
          betaB = promoteHigh(b4);
        }
        if (mode == 2) {
          const m4 = v128.load(p0 + k);
          const v4 = v128.load(p1 + k);
          muA = f64x2.promote_low_f32x4(m4);
          muB = promoteHigh(m4);
          sA = f64x2.sqrt(f64x2.add(f64x2.promote_low_f32x4(v4), veps));
          sB = f64x2.sqrt(f64x2.add(promoteHigh(v4), veps));
        }
        let alA = zero;
        let alB = zero;
        if (prelu) {
          const a4 = v128.load(prelu + k);
          alA = f64x2.promote_low_f32x4(a4);
          alB = promoteHigh(a4);
        }
        const a = chain2(
          f64x2.promote_low_f32x4(x),
          f64x2.promote_low_f32x4(o),
          muA,
          sA,
          gA,
          betaA,
          mode,
          clamp,
          vlo,
          vhi,
          other,
          after,
          vlo2,
          vhi2,
          prelu,
          alA,
        );
        const b = chain2(
          promoteHigh(x),
          promoteHigh(o),
          muB,
          sB,
          gB,
          betaB,
          mode,
          clamp,
          vlo,
          vhi,
          other,
          after,
          vlo2,
          vhi2,
          prelu,
          alB,
        );
        word |= storeGroup(dst + e, a, b, k, thresholds, flip, bits) << q;
      }
      for (; q < count; q++) {
        const ch = c0 + q;
        const k = <usize>ch << 2;
        const e = base + k;
        let y = ld(src + e);
        if (clamp) y = min(max(y, lo), hi);
        if (mode == 1) y = <f64>(<f32>(y * ld(p2 + k) + ld(p3 + k)));
        else if (mode == 2) y = <f64>(<f32>(((y - ld(p0 + k)) / sqrt(ld(p1 + k) + epsilon)) * ld(p2 + k) + ld(p3 + k)));
        else if (mode == 3) y = <f64>(<f32>(y * ld(p2 + k)));
        if (other) y = <f64>(<f32>(y + ld(other + e)));
        if (after) y = min(max(y, lo2), hi2);
        if (prelu && !(y >= 0)) y = <f64>(<f32>(ld(prelu + k) * y));
        const v = <f32>y;
        store<f32>(dst + e, v);
        if (!bits) continue;
        let bit: bool;
        if (!thresholds) bit = v >= 0;
        else {
          const t = load<f32>(thresholds + k);
          bit = flip && load<u8>(flip + <usize>ch) ? v <= t : v >= t;
        }
        word |= (<u32>bit) << q;
      }
      if (bits) store<u32>(words + (<usize>(c0 >> 5) << 2), word);
    }
  }
}

/**
 * Stores a group of four channels (halves a, b) as float32 and returns their four sign bits (0
 * without `bits`): v ≥ 0, or against thresholds (float32, so comparing in float32 is comparing
 * the promoted values) with v ≤ τ where flip is set.
 */
// @ts-expect-error: decorator
@inline
function storeGroup(at: usize, a: v128, b: v128, k: usize, thresholds: usize, flip: usize, bits: usize): u32 {
  const v = v128.shuffle<i64>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 2);
  v128.store(at, v);
  if (!bits) return 0;
  if (!thresholds) return <u32>i32x4.bitmask(f32x4.ge(v, f32x4.splat(0)));
  const t = v128.load(thresholds + k);
  const ge = f32x4.ge(v, t);
  if (!flip) return <u32>i32x4.bitmask(ge);
  const f = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(flip + (k >> 2)))), i32x4.splat(0));
  return <u32>i32x4.bitmask(v128.bitselect(f32x4.le(v, t), ge, f));
}

/** Max-pool output pixels [r0, r1) of NHWC floats: Math.max over the clipped window from −∞. */
export function maxPool(
  x: usize,
  out: usize,
  height: i32,
  width: i32,
  depth: i32,
  ph: i32,
  pw: i32,
  sh: i32,
  sw: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  r0: i32,
  r1: i32,
): void {
  const outHW = outH * outW;
  for (let r = r0; r < r1; r++) {
    const b = r / outHW;
    const rem = r - b * outHW;
    const oy = rem / outW;
    const ox = rem - oy * outW;
    const y0 = max(oy * sh - padTop, 0);
    const y1 = min(oy * sh - padTop + ph, height);
    const x0 = max(ox * sw - padLeft, 0);
    const x1 = min(ox * sw - padLeft + pw, width);
    const img = x + <usize>b * <usize>height * <usize>width * <usize>depth * 4;
    const o = out + <usize>r * <usize>depth * 4;
    const vectors = depth & ~3;
    const lowest = f32x4.splat(-Infinity);
    for (let i = 0; i < vectors; i += 4) v128.store(o + (<usize>i << 2), lowest);
    for (let i = vectors; i < depth; i++) store<f32>(o + (<usize>i << 2), -Infinity);
    for (let y = y0; y < y1; y++)
      for (let xx = x0; xx < x1; xx++) {
        const v = img + (<usize>y * <usize>width + <usize>xx) * <usize>depth * 4;
        // f32x4.max is f32.max lane by lane, without the compare-and-jump V8 emits for the scalar one.
        for (let i = 0; i < vectors; i += 4) {
          const k = <usize>i << 2;
          v128.store(o + k, f32x4.max(v128.load(o + k), v128.load(v + k)));
        }
        for (let i = vectors; i < depth; i++) {
          const k = <usize>i << 2;
          store<f32>(o + k, max(load<f32>(o + k), load<f32>(v + k)));
        }
      }
  }
}
