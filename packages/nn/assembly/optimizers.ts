// Optimizer updates over f32 arrays in this module's memory, four lanes at a time (f32x4).
// Every lane op is an IEEE f32 operation (no fused multiply-add), so the scalar tail and the
// TypeScript fallback (Math.fround after every op) give the same bits.

/**
 * Adam with a box clamp: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← clamp(w − lr·m/(√v + ε̂), lo, hi).
 * `oneMinusBeta1` / `oneMinusBeta2` come from the caller so every path rounds them the same way.
 */
export function adam(
  w: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  lr: f32,
  epsHat: f32,
  lo: f32,
  hi: f32,
): void {
  const vb1 = f32x4.splat(beta1);
  const vc1 = f32x4.splat(oneMinusBeta1);
  const vb2 = f32x4.splat(beta2);
  const vc2 = f32x4.splat(oneMinusBeta2);
  const vlr = f32x4.splat(lr);
  const veps = f32x4.splat(epsHat);
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  const end4 = (<usize>(n & ~3)) << 2;
  for (let off: usize = 0; off < end4; off += 16) {
    const gi = v128.load(g + off);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + off)), f32x4.mul(vc1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + off)), f32x4.mul(f32x4.mul(vc2, gi), gi));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    const step = f32x4.div(f32x4.mul(vlr, mi), f32x4.add(f32x4.sqrt(vi), veps));
    const wi = f32x4.sub(v128.load(w + off), step);
    v128.store(w + off, f32x4.min(vhi, f32x4.max(vlo, wi)));
  }
  for (let off = end4; off < (<usize>n) << 2; off += 4) {
    const gi = load<f32>(g + off);
    const mi = beta1 * load<f32>(m + off) + oneMinusBeta1 * gi;
    const vi = beta2 * load<f32>(v + off) + oneMinusBeta2 * gi * gi;
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    const wi = load<f32>(w + off) - (lr * mi) / (Mathf.sqrt(vi) + epsHat);
    store<f32>(w + off, Mathf.min(hi, Mathf.max(lo, wi)));
  }
}

/** The first byte free for the caller's buffers (past this module's static data). */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * Signs of a row-major [k, n] float matrix, in one pass: `signs` gets ±1 floats (sign(±0) = +1), and
 * `panels` the +1 bits of every column as a k-bit row in @onebit/bitops' panel layout
 * (word ((⌊o/4⌋·kWords/2 + ⌊w/2⌋)·4 + o mod 4)·2 + w mod 2 holds rows 32w…32w+31 of column o).
 * `acc` is scratch for one word per column (n rounded up to 4). Returns the largest |x| as float bits.
 * Rows are walked in order: a column walk would touch 32 rows 4n bytes apart, which alias in L1.
 */
export function packSignPanels(
  src: usize,
  k: i32,
  n: i32,
  signs: usize,
  acc: usize,
  panels: usize,
  kWords: i32,
): u32 {
  const half = kWords >>> 1;
  const n4 = n & ~3;
  const magnitudeMask = i32x4.splat(0x7fffffff);
  const one = i32x4.splat(0x3f800000);
  const signBit = i32x4.splat(0x80000000);
  const zero = i32x4.splat(0);
  let vmax = zero;
  let smax: u32 = 0;
  const rowBytes = (<usize>n) << 2;
  for (let k0 = 0, wk = 0; k0 < k; k0 += 32, wk++) {
    memory.fill(acc, 0, (<usize>(n + 3) & ~3) << 2);
    const k1 = min(k, k0 + 32);
    for (let kk = k0; kk < k1; kk++) {
      const shift = kk - k0;
      const bit = i32x4.splat(1 << shift);
      const row = src + <usize>kk * rowBytes;
      const out = signs + <usize>kk * rowBytes;
      for (let o: usize = 0; o < (<usize>n4) << 2; o += 16) {
        const u = v128.load(row + o);
        const magnitude = v128.and(u, magnitudeMask);
        vmax = i32x4.max_u(vmax, magnitude);
        // All ones where the value is negative and not −0.
        const negative = v128.andnot(i32x4.shr_s(u, 31), i32x4.eq(magnitude, zero));
        v128.store(acc + o, v128.or(v128.load(acc + o), v128.andnot(bit, negative)));
        v128.store(out + o, v128.or(one, v128.and(negative, signBit)));
      }
      for (let o = n4; o < n; o++) {
        const u = load<u32>(row + ((<usize>o) << 2));
        const magnitude = u & 0x7fffffff;
        if (magnitude > smax) smax = magnitude;
        const negative = (u >>> 31) & (magnitude !== 0 ? 1 : 0);
        store<u32>(acc + ((<usize>o) << 2), load<u32>(acc + ((<usize>o) << 2)) | ((negative ^ 1) << shift));
        store<u32>(out + ((<usize>o) << 2), 0x3f800000 | (negative << 31));
      }
    }
    const t = wk >>> 1;
    const lane = wk & 1;
    for (let o = 0; o < n; o++) {
      const index = ((((o >>> 2) * half + t) << 2) + (o & 3)) * 2 + lane;
      store<u32>(panels + ((<usize>index) << 2), load<u32>(acc + ((<usize>o) << 2)));
    }
  }
  return max(
    smax,
    max(
      max(i32x4.extract_lane(vmax, 0), i32x4.extract_lane(vmax, 1)),
      max(i32x4.extract_lane(vmax, 2), i32x4.extract_lane(vmax, 3)),
    ),
  );
}

/** out = sign(x) as ±1 floats (sign(±0) = +1) for n floats; returns the largest |x| as float bits. */
export function signsMaxAbs(src: usize, n: i32, out: usize): u32 {
  const magnitudeMask = i32x4.splat(0x7fffffff);
  const one = i32x4.splat(0x3f800000);
  const signBit = i32x4.splat(0x80000000);
  const zero = i32x4.splat(0);
  let vmax = zero;
  let smax: u32 = 0;
  const end4 = (<usize>(n & ~3)) << 2;
  for (let o: usize = 0; o < end4; o += 16) {
    const u = v128.load(src + o);
    const magnitude = v128.and(u, magnitudeMask);
    vmax = i32x4.max_u(vmax, magnitude);
    const negative = v128.andnot(i32x4.shr_s(u, 31), i32x4.eq(magnitude, zero));
    v128.store(out + o, v128.or(one, v128.and(negative, signBit)));
  }
  for (let o = end4; o < (<usize>n) << 2; o += 4) {
    const u = load<u32>(src + o);
    const magnitude = u & 0x7fffffff;
    if (magnitude > smax) smax = magnitude;
    const negative = (u >>> 31) & (magnitude !== 0 ? 1 : 0);
    store<u32>(out + o, 0x3f800000 | (negative << 31));
  }
  return max(
    smax,
    max(
      max(i32x4.extract_lane(vmax, 0), i32x4.extract_lane(vmax, 1)),
      max(i32x4.extract_lane(vmax, 2), i32x4.extract_lane(vmax, 3)),
    ),
  );
}

// BatchNorm's training passes over [rows, c] float32 data, in float64 two channels at a time
// (f64x2), with the same operations in the same order as the TypeScript loops they replace.

/** acc[j] = Σᵣ a[r][j], acc2[j] = Σᵣ a[r][j]·b[r][j] (b = a for the sum of squares); acc, acc2 float64. */
export function channelSums(a: usize, b: usize, rows: i32, c: i32, acc: usize, acc2: usize): void {
  memory.fill(acc, 0, (<usize>c) << 3);
  memory.fill(acc2, 0, (<usize>c) << 3);
  const c2 = c & ~1;
  for (let r = 0; r < rows; r++) {
    const rowA = a + ((<usize>r * <usize>c) << 2);
    const rowB = b + ((<usize>r * <usize>c) << 2);
    for (let j = 0; j < c2; j += 2) {
      const va = f64x2.promote_low_f32x4(v128.load64_zero(rowA + ((<usize>j) << 2)));
      const vb = f64x2.promote_low_f32x4(v128.load64_zero(rowB + ((<usize>j) << 2)));
      const p = acc + ((<usize>j) << 3);
      const q = acc2 + ((<usize>j) << 3);
      v128.store(p, f64x2.add(v128.load(p), va));
      v128.store(q, f64x2.add(v128.load(q), f64x2.mul(va, vb)));
    }
    for (let j = c2; j < c; j++) {
      const va = <f64>load<f32>(rowA + ((<usize>j) << 2));
      const vb = <f64>load<f32>(rowB + ((<usize>j) << 2));
      store<f64>(acc + ((<usize>j) << 3), load<f64>(acc + ((<usize>j) << 3)) + va);
      store<f64>(acc2 + ((<usize>j) << 3), load<f64>(acc2 + ((<usize>j) << 3)) + va * vb);
    }
  }
}

/** x̂ = (x − mean)·invStd, y = γ·x̂ + β (x̂ unrounded in y); mean float64, the rest float32. */
export function normalize(
  x: usize,
  rows: i32,
  c: i32,
  mean: usize,
  invStd: usize,
  gamma: usize,
  beta: usize,
  xhat: usize,
  y: usize,
): void {
  const c2 = c & ~1;
  for (let r = 0; r < rows; r++) {
    const o = (<usize>r * <usize>c) << 2;
    for (let j = 0; j < c2; j += 2) {
      const f = (<usize>j) << 2;
      const xv = f64x2.promote_low_f32x4(v128.load64_zero(x + o + f));
      const s = f64x2.promote_low_f32x4(v128.load64_zero(invStd + f));
      const h = f64x2.mul(f64x2.sub(xv, v128.load(mean + ((<usize>j) << 3))), s);
      v128.store64_lane(xhat + o + f, f32x4.demote_f64x2_zero(h), 0);
      const g = f64x2.promote_low_f32x4(v128.load64_zero(gamma + f));
      const b = f64x2.promote_low_f32x4(v128.load64_zero(beta + f));
      v128.store64_lane(y + o + f, f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(g, h), b)), 0);
    }
    for (let j = c2; j < c; j++) {
      const f = (<usize>j) << 2;
      const h =
        (<f64>load<f32>(x + o + f) - load<f64>(mean + ((<usize>j) << 3))) * <f64>load<f32>(invStd + f);
      store<f32>(xhat + o + f, <f32>h);
      store<f32>(y + o + f, <f32>(<f64>load<f32>(gamma + f) * h + <f64>load<f32>(beta + f)));
    }
  }
}

/** gx = γ·invStd·(g − meanG − x̂·meanGH) with meanG, meanGH float64, the rest float32. */
export function normalizeBackward(
  g: usize,
  xhat: usize,
  rows: i32,
  c: i32,
  gamma: usize,
  invStd: usize,
  meanG: usize,
  meanGH: usize,
  gx: usize,
): void {
  const c2 = c & ~1;
  for (let r = 0; r < rows; r++) {
    const o = (<usize>r * <usize>c) << 2;
    for (let j = 0; j < c2; j += 2) {
      const f = (<usize>j) << 2;
      const d = (<usize>j) << 3;
      const scale = f64x2.mul(
        f64x2.promote_low_f32x4(v128.load64_zero(gamma + f)),
        f64x2.promote_low_f32x4(v128.load64_zero(invStd + f)),
      );
      const gv = f64x2.promote_low_f32x4(v128.load64_zero(g + o + f));
      const hv = f64x2.promote_low_f32x4(v128.load64_zero(xhat + o + f));
      const inner = f64x2.sub(f64x2.sub(gv, v128.load(meanG + d)), f64x2.mul(hv, v128.load(meanGH + d)));
      v128.store64_lane(gx + o + f, f32x4.demote_f64x2_zero(f64x2.mul(scale, inner)), 0);
    }
    for (let j = c2; j < c; j++) {
      const f = (<usize>j) << 2;
      const d = (<usize>j) << 3;
      const scale = <f64>load<f32>(gamma + f) * <f64>load<f32>(invStd + f);
      const inner =
        <f64>load<f32>(g + o + f) -
        load<f64>(meanG + d) -
        <f64>load<f32>(xhat + o + f) * load<f64>(meanGH + d);
      store<f32>(gx + o + f, <f32>(scale * inner));
    }
  }
}
