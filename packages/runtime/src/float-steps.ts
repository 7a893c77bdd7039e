import type { MemoryViews } from "./memory-views.js";
import type { Conv2dFloatStep, DenseFloatStep, FloatEpilogue, SoftmaxStep, ToFloatStep } from "./plan.js";

// The float parts of a model (first/last layers, conversions) in plain TypeScript. Sums run in
// float64 in a fixed order (k ascending) and round to float32 once, so the result is reproducible
// bit for bit and within float32 rounding of any float32 implementation.

/** Writes output channel `o` of row `row` (float, or a bit through a float threshold). */
function emit(
  v: MemoryViews,
  e: FloatEpilogue,
  out: number,
  n: number,
  row: number,
  o: number,
  z: number,
): void {
  if (e.kind === "float32") {
    v.f32[(out >>> 2) + row * n + o] = z;
    return;
  }
  const t = v.f32[(e.thresholds >>> 2) + o]!;
  if (v.u8[e.flip + o] ? z <= t : z >= t) v.u32[(out >>> 2) + row * e.rowWords + (o >>> 5)]! |= 1 << (o & 31);
}

function clearBits(v: MemoryViews, e: FloatEpilogue, out: number, rowStart: number, rowEnd: number): void {
  if (e.kind === "bits")
    v.u32.fill(0, (out >>> 2) + rowStart * e.rowWords, (out >>> 2) + rowEnd * e.rowWords);
}

/** Clears the words of output columns [c0, c1) (c0 a multiple of 32) — and the row padding when c1 = n. */
function clearBitColumns(
  v: MemoryViews,
  e: FloatEpilogue,
  out: number,
  rows: number,
  n: number,
  c0: number,
  c1: number,
): void {
  if (e.kind !== "bits") return;
  const w0 = c0 >>> 5;
  const w1 = c1 === n ? e.rowWords : Math.ceil(c1 / 32);
  for (let m = 0; m < rows; m++)
    v.u32.fill(0, (out >>> 2) + m * e.rowWords + w0, (out >>> 2) + m * e.rowWords + w1);
}

/** Rows [rowStart, rowEnd), output columns [colStart, colEnd) (colStart a multiple of 32) of a float dense layer. */
export function denseFloatRows(
  v: MemoryViews,
  s: DenseFloatStep,
  rowStart: number,
  rowEnd: number,
  colStart = 0,
  colEnd = s.n,
): void {
  const f32 = v.f32;
  const { k, n } = s;
  const w0 = s.w >>> 2;
  const b0 = s.bias >>> 2;
  if (colStart === 0 && colEnd === n) clearBits(v, s.epilogue, s.out, rowStart, rowEnd);
  else clearBitColumns(v, s.epilogue, s.out, rowEnd, n, colStart, colEnd);
  for (let m = rowStart; m < rowEnd; m++) {
    const x0 = (s.x >>> 2) + m * k;
    let o = colStart;
    // Four outputs at a time share each x load; each output still sums k ascending.
    for (; o + 4 <= colEnd; o += 4) {
      const wa = w0 + o * k;
      const wb = wa + k;
      const wc = wb + k;
      const wd = wc + k;
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      for (let i = 0; i < k; i++) {
        const x = f32[x0 + i]!;
        a += f32[wa + i]! * x;
        b += f32[wb + i]! * x;
        c += f32[wc + i]! * x;
        d += f32[wd + i]! * x;
      }
      if (s.bias !== 0) {
        a += f32[b0 + o]!;
        b += f32[b0 + o + 1]!;
        c += f32[b0 + o + 2]!;
        d += f32[b0 + o + 3]!;
      }
      emit(v, s.epilogue, s.out, n, m, o, Math.fround(a));
      emit(v, s.epilogue, s.out, n, m, o + 1, Math.fround(b));
      emit(v, s.epilogue, s.out, n, m, o + 2, Math.fround(c));
      emit(v, s.epilogue, s.out, n, m, o + 3, Math.fround(d));
    }
    for (; o < colEnd; o++) {
      const wa = w0 + o * k;
      let a = 0;
      for (let i = 0; i < k; i++) a += f32[wa + i]! * f32[x0 + i]!;
      if (s.bias !== 0) a += f32[b0 + o]!;
      emit(v, s.epilogue, s.out, n, m, o, Math.fround(a));
    }
  }
}

/**
 * Output pixels [rowStart, rowEnd) of a float convolution. Each pixel's window is gathered once in
 * tap order (interior rows copied as `kw·C` contiguous floats, no bounds checks); then two pixels
 * and four output channels at a time share every window and weight load (eight sums in registers).
 * Each output still sums its taps in ascending order in float64 with the bias added last, so the
 * result equals `conv2dFloatRowsReference` bit for bit.
 */
export function conv2dFloatRows(v: MemoryViews, s: Conv2dFloatStep, rowStart: number, rowEnd: number): void {
  const f32 = v.f32;
  const n = s.n;
  const tapSize = s.kernelH * s.kernelW * s.channels;
  const w0 = s.w >>> 2;
  const b0 = s.bias >>> 2;
  const hasBias = s.bias !== 0;
  const floatOut = s.epilogue.kind === "float32";
  const out0 = s.out >>> 2;
  const patch = new Float64Array(2 * tapSize);
  const put = (r: number, o: number, z: number) => {
    const y = hasBias ? z + f32[b0 + o]! : z;
    if (floatOut) f32[out0 + r * n + o] = y;
    else emit(v, s.epilogue, s.out, n, r, o, Math.fround(y));
  };
  clearBits(v, s.epilogue, s.out, rowStart, rowEnd);
  let r = rowStart;
  for (; r + 2 <= rowEnd; r += 2) {
    gatherWindow(v, s, r, patch, 0);
    gatherWindow(v, s, r + 1, patch, tapSize);
    let o = 0;
    for (; o + 4 <= n; o += 4) {
      const wa = w0 + o * tapSize;
      const wb = wa + tapSize;
      const wc = wb + tapSize;
      const wd = wc + tapSize;
      let a0 = 0;
      let bb0 = 0;
      let c0 = 0;
      let d0 = 0;
      let a1 = 0;
      let b1 = 0;
      let c1 = 0;
      let d1 = 0;
      for (let i = 0; i < tapSize; i++) {
        const x = patch[i]!;
        const y = patch[tapSize + i]!;
        const ga = f32[wa + i]!;
        const gb = f32[wb + i]!;
        const gc = f32[wc + i]!;
        const gd = f32[wd + i]!;
        a0 += ga * x;
        bb0 += gb * x;
        c0 += gc * x;
        d0 += gd * x;
        a1 += ga * y;
        b1 += gb * y;
        c1 += gc * y;
        d1 += gd * y;
      }
      put(r, o, a0);
      put(r, o + 1, bb0);
      put(r, o + 2, c0);
      put(r, o + 3, d0);
      put(r + 1, o, a1);
      put(r + 1, o + 1, b1);
      put(r + 1, o + 2, c1);
      put(r + 1, o + 3, d1);
    }
    for (; o < n; o++) {
      const wa = w0 + o * tapSize;
      let z0 = 0;
      let z1 = 0;
      for (let i = 0; i < tapSize; i++) {
        z0 += f32[wa + i]! * patch[i]!;
        z1 += f32[wa + i]! * patch[tapSize + i]!;
      }
      put(r, o, z0);
      put(r + 1, o, z1);
    }
  }
  if (r < rowEnd) {
    gatherWindow(v, s, r, patch, 0);
    for (let o = 0; o < n; o++) {
      const wa = w0 + o * tapSize;
      let z = 0;
      for (let i = 0; i < tapSize; i++) z += f32[wa + i]! * patch[i]!;
      put(r, o, z);
    }
  }
}

/** Output pixel r's window of a float convolution, padding included, in tap order into patch[at…]. */
function gatherWindow(v: MemoryViews, s: Conv2dFloatStep, r: number, patch: Float64Array, at: number): void {
  const f32 = v.f32;
  const { channels: c, kernelH: kh, kernelW: kw, height, width, outW } = s;
  const span = kw * c;
  const outHW = s.outH * outW;
  const b = Math.floor(r / outHW);
  const rem = r - b * outHW;
  const oy = Math.floor(rem / outW);
  const ox = rem - oy * outW;
  const img = (s.x >>> 2) + b * height * width * c;
  const y0 = oy * s.strideH - s.padTop;
  const x0 = ox * s.strideW - s.padLeft;
  const colsInside = x0 >= 0 && x0 + kw <= width;
  for (let dy = 0, k = at; dy < kh; dy++) {
    const iy = y0 + dy;
    if (iy < 0 || iy >= height) {
      patch.fill(s.padValue, k, k + span);
      k += span;
    } else if (colsInside) {
      const p = img + (iy * width + x0) * c;
      for (let i = 0; i < span; i++) patch[k++] = f32[p + i]!;
    } else {
      for (let dx = 0; dx < kw; dx++) {
        const ix = x0 + dx;
        if (ix >= 0 && ix < width) {
          const p = img + (iy * width + ix) * c;
          for (let ch = 0; ch < c; ch++) patch[k++] = f32[p + ch]!;
        } else for (let ch = 0; ch < c; ch++) patch[k++] = s.padValue;
      }
    }
  }
}

/** The plain float convolution (one pixel's window gathered, one dot per output): the fast path's reference. */
export function conv2dFloatRowsReference(
  v: MemoryViews,
  s: Conv2dFloatStep,
  rowStart: number,
  rowEnd: number,
): void {
  const f32 = v.f32;
  const { channels: c, kernelH: kh, kernelW: kw, n } = s;
  const outHW = s.outH * s.outW;
  const tapSize = kh * kw * c;
  const pad = s.padValue;
  const w0 = s.w >>> 2;
  // The pixel's window (padding included) gathered once in tap order, so each output channel is one
  // contiguous dot product summed in the same order as the window walk.
  const patch = new Float64Array(tapSize);
  clearBits(v, s.epilogue, s.out, rowStart, rowEnd);
  for (let r = rowStart; r < rowEnd; r++) {
    const b = Math.floor(r / outHW);
    const rem = r - b * outHW;
    const oy = Math.floor(rem / s.outW);
    const ox = rem - oy * s.outW;
    const img = (s.x >>> 2) + b * s.height * s.width * c;
    const y0 = oy * s.strideH - s.padTop;
    const x0 = ox * s.strideW - s.padLeft;
    let k = 0;
    for (let dy = 0; dy < kh; dy++) {
      const iy = y0 + dy;
      const rowInside = iy >= 0 && iy < s.height;
      for (let dx = 0; dx < kw; dx++) {
        const ix = x0 + dx;
        if (rowInside && ix >= 0 && ix < s.width) {
          const p = img + (iy * s.width + ix) * c;
          for (let ch = 0; ch < c; ch++) patch[k++] = f32[p + ch]!;
        } else for (let ch = 0; ch < c; ch++) patch[k++] = pad;
      }
    }
    for (let o = 0; o < n; o++) {
      const wi = w0 + o * tapSize;
      let acc = 0;
      for (let i = 0; i < tapSize; i++) acc += f32[wi + i]! * patch[i]!;
      if (s.bias !== 0) acc += f32[(s.bias >>> 2) + o]!;
      emit(v, s.epilogue, s.out, n, r, o, Math.fround(acc));
    }
  }
}

export function toFloatRows(v: MemoryViews, s: ToFloatStep, rowStart: number, rowEnd: number): void {
  const e = s.elements;
  const f32 = v.f32;
  if (s.source === "uint8") {
    const { scale, offset } = s;
    for (let m = rowStart; m < rowEnd; m++) {
      const src = s.src + m * e;
      const dst = (s.dst >>> 2) + m * e;
      for (let i = 0; i < e; i++) f32[dst + i] = Math.fround(Math.fround(v.u8[src + i]! * scale) + offset);
    }
    return;
  }
  const l = s.layout!;
  const u32 = v.u32;
  for (let m = rowStart; m < rowEnd; m++) {
    const src = (s.src >>> 2) + m * l.sampleWords;
    let dst = (s.dst >>> 2) + m * e;
    for (let p = 0; p < l.pixels; p++) {
      const base = src + p * l.wpp;
      for (let c = 0; c < l.channels; c++) f32[dst++] = (u32[base + (c >>> 5)]! >>> (c & 31)) & 1 ? 1 : -1;
    }
  }
}

/** p = exp(x − max) / Σ exp(x − max), in float64, rounded to float32. */
export function softmaxInto(
  src: Float32Array,
  srcAt: number,
  dst: Float32Array,
  dstAt: number,
  n: number,
): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, src[srcAt + i]!);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(src[srcAt + i]! - max);
  for (let i = 0; i < n; i++) dst[dstAt + i] = Math.fround(Math.exp(src[srcAt + i]! - max) / sum);
}

export function softmaxRows(v: MemoryViews, s: SoftmaxStep, rowStart: number, rowEnd: number): void {
  for (let m = rowStart; m < rowEnd; m++)
    softmaxInto(v.f32, (s.src >>> 2) + m * s.n, v.f32, (s.dst >>> 2) + m * s.n, s.n);
}
