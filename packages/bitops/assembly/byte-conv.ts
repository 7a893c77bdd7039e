// Direct first convolution over 8-bit inputs × binary weights, for small K (the alternative to the
// 8-bit im2col + bit-plane GEMM of plane-im2col.ts and bit-plane.ts, with the same results): with
// K ≤ 257 (257·255 = 65 535; the caller checks, src/kernels/wasm-kernels.ts) the sum S = Σ x[k] over the taps whose weight bit is 1 fits an unsigned 16-bit lane, so
// four columns share one i64 (or eight one v128) and each tap costs one splat of its byte, then an
// AND with the columns' lane masks and an add per accumulator — no planes, no im2col, no popcount.
// dot = Σ ±x = 2·S − Σ x[k] (the tap bytes; padded taps read the byte padValue).
import { clearOutputRows, emitRow4 } from "./epilogue";

const LANES: u64 = 0x0001000100010001;

/** Panels of 4 columns per accumulator block (4 × i64 or 2 × v128): the mask table's panel count is padded to it. */
// @ts-expect-error: decorator
@inline function paddedPanels(n: i32): i32 {
  return (((n + 3) >> 2) + 3) & ~3;
}

/**
 * The lane masks of prepacked weights (4-column panels of kWords64 words, see bgemm-1x4-i64.ts):
 * tap t, panel p at dst + (t·P + p)·8, lane c = 0xffff where column 4p + c has bit t set (P = the
 * panel count padded to a multiple of 4, its extra panels zero).
 */
export function byteConvMasks(w: usize, n: i32, kWords64: i32, k: i32, dst: usize): void {
  const panels = (n + 3) >> 2;
  const padded = paddedPanels(n);
  for (let t = 0; t < k; t++) {
    const bit = <u64>(t & 63);
    const word = <usize>(t >> 6);
    for (let p = 0; p < padded; p++) {
      let m: u64 = 0;
      if (p < panels) {
        const q = w + ((<usize>p * <usize>kWords64 + word) << 5);
        for (let c = 0; c < 4; c++) {
          m |= (((load<u64>(q + (<usize>c << 3)) >> bit) & 1) * 0xffff) << (<u64>c << 4);
        }
      }
      store<u64>(dst + ((<usize>t * <usize>padded + <usize>p) << 3), m);
    }
  }
}

/**
 * Output pixels [rowStart, rowEnd) (NHWC bytes at src; the geometry of planeIm2col) against the
 * mask table at masks, through the epilogue set by setOutput (row r at out + r·outStride). A window
 * that crosses the image's border is first gathered at `window` (K bytes of scratch), padded taps
 * as padValue, so that the tap loop never tests for padding (V8 spilled its accumulators when it did).
 */
export function byteConv(
  rowStart: i32,
  rowEnd: i32,
  src: usize,
  inH: i32,
  inW: i32,
  channels: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  padValue: i32,
  masks: usize,
  window: usize,
  n: i32,
): void {
  clearOutputRows(rowStart, rowEnd);
  const lineBytes = <usize>inW * <usize>channels;
  const tapLine = kw * channels;
  const k = <usize>(kh * tapLine);
  const panels = (n + 3) >> 2;
  const tapBytes = <usize>paddedPanels(n) << 3;
  const pad = <u8>padValue;
  const outHW = outH * outW;
  let b = rowStart / outHW;
  let oy = (rowStart - b * outHW) / outW;
  let ox = rowStart - b * outHW - oy * outW;
  for (let r = rowStart; r < rowEnd; r++) {
    const y0 = oy * strideH - padTop;
    const x0 = ox * strideW - padLeft;
    // The window's taps as `rows` runs of `run` bytes, `step` apart: kernel rows in the image, or
    // one run gathered at `window` where the window crosses the border.
    let base = src + ((<usize>b * <usize>inH + <usize>y0) * <usize>inW + <usize>x0) * <usize>channels;
    let step = lineBytes;
    let rows = kh;
    let run = <usize>tapLine;
    if (y0 < 0 || x0 < 0 || y0 + kh > inH || x0 + kw > inW) {
      gatherWindow(window, src, b, y0, x0, inH, inW, channels, kh, kw, pad);
      base = window;
      step = 0;
      rows = 1;
      run = k;
    }
    for (let pb = 0; pb < panels; pb += 4) {
      // Four accumulators of 4 lanes: columns 4·pb … 4·pb + 15 (two v128 in the SIMD module).
      let a0: u64 = 0,
        a1: u64 = 0,
        a2: u64 = 0,
        a3: u64 = 0;
      let sum = 0;
      let mp = masks + (<usize>pb << 3);
      let line = base;
      for (let row = 0; row < rows; row++, line += step) {
        if (ASC_FEATURE_SIMD) {
          let v0 = i64x2.splat(0),
            v1 = i64x2.splat(0);
          for (let t: usize = 0; t < run; t++, mp += tapBytes) {
            const x = load<u8>(line + t);
            sum += x;
            const s = i16x8.splat(x);
            v0 = i16x8.add(v0, v128.and(s, v128.load(mp)));
            v1 = i16x8.add(v1, v128.and(s, v128.load(mp, 16)));
          }
          a0 += i64x2.extract_lane(v0, 0);
          a1 += i64x2.extract_lane(v0, 1);
          a2 += i64x2.extract_lane(v1, 0);
          a3 += i64x2.extract_lane(v1, 1);
        } else {
          for (let t: usize = 0; t < run; t++, mp += tapBytes) {
            const x = load<u8>(line + t);
            sum += x;
            const s = <u64>x * LANES;
            a0 += s & load<u64>(mp);
            a1 += s & load<u64>(mp, 8);
            a2 += s & load<u64>(mp, 16);
            a3 += s & load<u64>(mp, 24);
          }
        }
      }
      emitLanes(r, pb, a0, sum);
      if (pb + 1 < panels) emitLanes(r, pb + 1, a1, sum);
      if (pb + 2 < panels) emitLanes(r, pb + 2, a2, sum);
      if (pb + 3 < panels) emitLanes(r, pb + 3, a3, sum);
    }
    if (++ox == outW) {
      ox = 0;
      if (++oy == outH) {
        oy = 0;
        b++;
      }
    }
  }
}

/** The K bytes of the window at (y0, x0) of image b into dst, tap t at dst + t (padded taps: pad). */
function gatherWindow(
  dst: usize,
  src: usize,
  b: i32,
  y0: i32,
  x0: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  kh: i32,
  kw: i32,
  pad: u8,
): void {
  const lineBytes = <usize>inW * <usize>channels;
  const tapLine = kw * channels;
  // Taps [dx0, dx1) of a kernel row lie inside the image: bytes [before, before + inside) of it.
  const dx0 = max(0, -x0);
  const dx1 = max(dx0, min(kw, inW - x0));
  const before = dx0 * channels;
  const inside = (dx1 - dx0) * channels;
  let from = src + (<usize>b * <usize>inH + <usize>y0) * lineBytes + <usize>(x0 * channels + before);
  for (let dy = 0; dy < kh; dy++, from += lineBytes) {
    const iy = y0 + dy;
    if (iy < 0 || iy >= inH) {
      dst = fill(dst, pad, tapLine);
      continue;
    }
    dst = fill(dst, pad, before);
    for (let i = 0; i < inside; i++) store<u8>(dst + <usize>i, load<u8>(from + <usize>i));
    dst = fill(dst + <usize>inside, pad, tapLine - before - inside);
  }
}

/** `count` pad bytes at dst; returns their end (a loop, not memory.fill: V8 calls out for that). */
// @ts-expect-error: decorator
@inline function fill(dst: usize, pad: u8, count: i32): usize {
  for (let i = 0; i < count; i++) store<u8>(dst + <usize>i, pad);
  return dst + <usize>count;
}

/** Panel p's four lane sums S as dots 2·S − Σx. */
// @ts-expect-error: decorator
@inline function emitLanes(m: i32, p: i32, a: u64, sum: i32): void {
  emitRow4(
    m,
    p << 2,
    (<i32>(a & 0xffff) << 1) - sum,
    (<i32>((a >> 16) & 0xffff) << 1) - sum,
    (<i32>((a >> 32) & 0xffff) << 1) - sum,
    (<i32>(a >> 48) << 1) - sum,
  );
}
