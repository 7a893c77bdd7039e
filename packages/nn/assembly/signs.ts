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
