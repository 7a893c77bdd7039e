// im2col over packed NHWC words (binary convolutions), shared by both kernel modules.

/**
 * Output pixels [rowStart, rowEnd) of a batch of images: row r gathers the kh·kw input pixels
 * (wpp words each) its window covers, out-of-image taps read as one-padding (all channel bits 1,
 * gap bits 0), and zero-fills the row up to dstStride. Row r of dst is at dst + (r − rowStart)·dstStride.
 *
 * Each kernel row is one contiguous run of the image (kw·wpp words), copied word by word with
 * padded taps on either side: a memory.copy per tap was a call out of the module per 4 bytes.
 */
export function im2col(
  rowStart: i32,
  rowEnd: i32,
  src: usize,
  inH: i32,
  inW: i32,
  wpp: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  lastMask: u32,
  dst: usize,
  dstStride: usize,
): void {
  const pixBytes = <usize>wpp << 2;
  const lineBytes = <usize>inW * pixBytes;
  const outHW = outH * outW;
  for (let r = rowStart; r < rowEnd; r++) {
    const b = r / outHW;
    const rem = r - b * outHW;
    const oy = rem / outW;
    const ox = rem - oy * outW;
    const y0 = oy * stride - padTop;
    const x0 = ox * stride - padLeft;
    // Taps [dx0, dx1) of a kernel row lie inside the image.
    const dx0 = max(0, -x0);
    const dx1 = max(dx0, min(kw, inW - x0));
    let d = dst + <usize>(r - rowStart) * dstStride;
    const rowEndPtr = d + dstStride;
    const image = src + <usize>b * <usize>inH * lineBytes;
    for (let dy = 0; dy < kh; dy++) {
      const iy = y0 + dy;
      const live = iy >= 0 && iy < inH;
      const first = live ? dx0 : kw; // taps before the image's run, and the run's end
      const last = live ? dx1 : kw;
      if (first) d = padTaps(d, first, wpp, lastMask);
      if (live) d = copyWords(d, image + <usize>iy * lineBytes + <usize>(x0 + dx0) * pixBytes, <usize>(dx1 - dx0) * pixBytes);
      if (last < kw) d = padTaps(d, kw - last, wpp, lastMask);
    }
    for (; d < rowEndPtr; d += 4) store<u32>(d, 0);
  }
}

/** `taps` one-padded pixels at d; returns the end (a call: only windows at the border pad). */
function padTaps(d: usize, taps: i32, wpp: i32, lastMask: u32): usize {
  for (let t = 0; t < taps; t++) {
    for (let w = 1; w < wpp; w++, d += 4) store<u32>(d, 0xffffffff);
    store<u32>(d, lastMask);
    d += 4;
  }
  return d;
}

/** Copies `bytes` (a multiple of 4) from s to d, 8 bytes at a time; returns the end of d. */
// @ts-expect-error: decorator
@inline function copyWords(d: usize, s: usize, bytes: usize): usize {
  const end = d + bytes;
  for (; d + 8 <= end; d += 8, s += 8) store<u64>(d, load<u64>(s));
  if (d < end) store<u32>(d, load<u32>(s));
  return end;
}
