// Shared by both kernel modules: the per-call output state and the per-dot epilogue
// (raw dot, threshold → packed bit, or scale/bias → float). Globals are per instance, so every
// worker that instantiates the module over a shared memory has its own copy.

export const MODE_DOT: i32 = 0;
export const MODE_THRESHOLD: i32 = 1;
export const MODE_SCALE_BIAS: i32 = 2;

let gMode: i32 = 0;
let gK: i32 = 0; // true K: dot = K − 2·popcount(a ⊕ w)
let gN: i32 = 0; // true N: columns ≥ N are the panel's zero padding and are not written
let gOut: usize = 0;
let gOutStride: usize = 0; // bytes per output row
let gP0: usize = 0; // thresholds (i32) or scales (f32)
let gP1: usize = 0; // flips (u8) or biases (f32)

let gC0: i32 = 0; // first output column of this call (multiple of 4, or of 32 in threshold mode)
let gC1: i32 = 0; // one past the last output column (multiple of 4/32, or N)

/**
 * Output of the next kernel call: mode, true K and N, out pointer/stride, the epilogue arrays, and
 * the column range [c0, c1) this call computes (0, N for all of them).
 */
export function setOutput(
  mode: i32,
  k: i32,
  n: i32,
  out: usize,
  outStride: usize,
  p0: usize,
  p1: usize,
  c0: i32,
  c1: i32,
): void {
  gMode = mode;
  gK = k;
  gN = n;
  gOut = out;
  gOutStride = outStride;
  gP0 = p0;
  gP1 = p1;
  gC0 = c0;
  gC1 = c1;
}

/** First and one-past-last 4-column panel of the current column range. */
export function panelStart(): i32 {
  return gC0 >> 2;
}
export function panelEnd(): i32 {
  return (gC1 + 3) >> 2;
}

/**
 * Threshold mode ORs bits into its output, so it first zeroes the words of rows [rowStart, rowEnd)
 * that its column range owns; the range that ends at N also zeroes the row's padding words.
 */
export function clearOutputRows(rowStart: i32, rowEnd: i32): void {
  if (gMode != MODE_THRESHOLD || rowEnd <= rowStart) return;
  const from = <usize>(gC0 >> 5) << 2;
  const to = gC1 >= gN ? gOutStride : <usize>((gC1 + 31) >> 5) << 2;
  if (to <= from) return;
  // Word stores, not memory.fill: V8 calls out of the module for every fill, which cost more than
  // the GEMM itself for narrow layers (one 4-byte fill per output pixel).
  for (let m = rowStart; m < rowEnd; m++) {
    const row = gOut + <usize>m * gOutStride;
    let p = row + from;
    const end = row + to;
    for (; p + 4 <= end; p += 4) store<u32>(p, 0);
    for (; p < end; p++) store<u8>(p, 0);
  }
}

/**
 * Writes one finished dot product (row m, column j); dot is already K − 2·popcount. The plain form
 * of emitRow4, which runs it for the columns of a tile that cross N.
 */
// @ts-expect-error: decorator
@inline export function emitDot(m: i32, j: i32, dot: i32): void {
  if (j >= gN) return;
  const row = gOut + <usize>m * gOutStride;
  if (gMode == MODE_DOT) {
    store<i32>(row + (<usize>j << 2), dot);
  } else if (gMode == MODE_SCALE_BIAS) {
    const o = <usize>j << 2;
    store<f32>(row + o, <f32>dot * load<f32>(gP0 + o) + load<f32>(gP1 + o));
  } else {
    const t = load<i32>(gP0 + (<usize>j << 2));
    const on = load<u8>(gP1 + <usize>j) ? dot <= t : dot >= t;
    if (on) {
      const p = row + (<usize>(j >>> 5) << 2);
      store<u32>(p, load<u32>(p) | (<u32>1 << (<u32>j & 31)));
    }
  }
}

/** The tile that crosses N, column by column (a call: it runs once per row, and inlining its four emitDot copies into every tile cost the browser build ~0.5 KB gzipped). */
function emitColumns(m: i32, j: i32, d0: i32, d1: i32, d2: i32, d3: i32): void {
  for (let i = 0; i < 4; i++) emitDot(m, j + i, i == 0 ? d0 : i == 1 ? d1 : i == 2 ? d2 : d3);
}

/** Threshold rule of one column, without a branch: dot ≥ t, or dot ≤ t where the flip byte is set. */
// @ts-expect-error: decorator
@inline function passes(dot: i32, t: i32, flip: u8): u32 {
  return <u32>select<bool>(dot <= t, dot >= t, flip != 0);
}

/**
 * Writes four finished dots of row m, columns j..j+3 (j a multiple of 4): the mode is tested once
 * per tile, and threshold mode turns the four comparisons into four bits with one read-modify-write
 * of the output word. Tiles that cross N take the per-column emitDot (so no epilogue array is read
 * past N).
 */
// @ts-expect-error: decorator
@inline export function emitRow4(m: i32, j: i32, d0: i32, d1: i32, d2: i32, d3: i32): void {
  if (j + 4 > gN) {
    emitColumns(m, j, d0, d1, d2, d3);
    return;
  }
  const row = gOut + <usize>m * gOutStride;
  const o = <usize>j << 2;
  if (gMode == MODE_THRESHOLD) {
    const t = gP0 + o;
    const f = gP1 + <usize>j;
    const bits =
      passes(d0, load<i32>(t), load<u8>(f)) |
      (passes(d1, load<i32>(t, 4), load<u8>(f, 1)) << 1) |
      (passes(d2, load<i32>(t, 8), load<u8>(f, 2)) << 2) |
      (passes(d3, load<i32>(t, 12), load<u8>(f, 3)) << 3);
    const p = row + (<usize>(j >>> 5) << 2);
    store<u32>(p, load<u32>(p) | (bits << (<u32>j & 31)));
  } else if (gMode == MODE_DOT) {
    store<i32>(row + o, d0);
    store<i32>(row + o, d1, 4);
    store<i32>(row + o, d2, 8);
    store<i32>(row + o, d3, 12);
  } else {
    const s = gP0 + o;
    const b = gP1 + o;
    store<f32>(row + o, <f32>d0 * load<f32>(s) + load<f32>(b));
    store<f32>(row + o, <f32>d1 * load<f32>(s, 4) + load<f32>(b, 4), 4);
    store<f32>(row + o, <f32>d2 * load<f32>(s, 8) + load<f32>(b, 8), 8);
    store<f32>(row + o, <f32>d3 * load<f32>(s, 12) + load<f32>(b, 12), 12);
  }
}

// A finished 2×4 tile of popcounts, handed from the kernel loop to the epilogue through globals.
// Everything stays inlined: any call inside the tile loops makes V8's register allocator spill the
// accumulators (measured: ~40 % slower), which costs far more than the larger module.
let t00: i32 = 0, t01: i32 = 0, t02: i32 = 0, t03: i32 = 0;
let t10: i32 = 0, t11: i32 = 0, t12: i32 = 0, t13: i32 = 0;

// @ts-expect-error: decorator
@inline export function stashRow0(c0: i64, c1: i64, c2: i64, c3: i64): void {
  t00 = <i32>c0;
  t01 = <i32>c1;
  t02 = <i32>c2;
  t03 = <i32>c3;
}

// @ts-expect-error: decorator
@inline export function stashRow1(c0: i64, c1: i64, c2: i64, c3: i64): void {
  t10 = <i32>c0;
  t11 = <i32>c1;
  t12 = <i32>c2;
  t13 = <i32>c3;
}

/** Emits the stashed tile: row m from stashRow0 and, when rows = 2, row m + 1 from stashRow1. */
// @ts-expect-error: decorator
@inline export function flushTile(m: i32, j: i32, rows: i32): void {
  emitRow4(m, j, gK - 2 * t00, gK - 2 * t01, gK - 2 * t02, gK - 2 * t03);
  if (rows < 2) return;
  emitRow4(m + 1, j, gK - 2 * t10, gK - 2 * t11, gK - 2 * t12, gK - 2 * t13);
}

/** Binary max-pool (OR of bits) over packed NHWC words, output pixels [rowStart, rowEnd). */
export function maxPool(
  rowStart: i32,
  rowEnd: i32,
  src: usize,
  inH: i32,
  inW: i32,
  wpp: i32,
  ph: i32,
  pw: i32,
  stride: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  dst: usize,
): void {
  const pixBytes = <usize>wpp << 2;
  const outHW = outH * outW;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = r / outHW;
    const rem = r - b * outHW;
    const oy = rem / outW;
    const ox = rem - oy * outW;
    const d = dst + <usize>r * pixBytes;
    const img = src + <usize>b * <usize>inH * <usize>inW * pixBytes;
    for (let w = 0; w < wpp; w++) {
      let acc: u32 = 0;
      for (let dy = 0; dy < ph; dy++) {
        const iy = oy * stride - padTop + dy;
        if (iy < 0 || iy >= inH) continue;
        for (let dx = 0; dx < pw; dx++) {
          const ix = ox * stride - padLeft + dx;
          if (ix < 0 || ix >= inW) continue;
          acc |= load<u32>(img + (<usize>iy * <usize>inW + <usize>ix) * pixBytes + (<usize>w << 2));
        }
      }
      store<u32>(d + (<usize>w << 2), acc);
    }
  }
}
