// The 8-bit im2col of the bit-plane first layer (the layout of src/plane-im2col.ts, its reference):
// output pixels [rowStart, rowEnd) into scratch rows of 8 planes × kWords64 words, tap t, channel c
// of the window at bit t·channels + c, padded taps reading the byte padValue, bits past K zero.
//
// Each kernel row's taps inside the image are one run of bytes, read up to 8 at a time (never
// across a 64-bit plane word): one multiply per plane moves bit n of each byte into 8 adjacent
// bits, XORed into that plane's word, held in a register until the run passes it. Padding costs
// nothing per tap: each word starts as the pad byte's bits over its part of K, and the image's
// bytes are XORed in as (byte ^ pad). All-zero chunks (most of an MNIST image) cost a test.

const BYTE_LSBS: u64 = 0x0101010101010101;
/** Byte j's bit 0 lands in bit 56 + j (partial products never overlap, so no carries). */
const GATHER: u64 = 0x0102040810204080;

// @ts-expect-error: decorator
@inline function planeBits(q: u64, n: u64): u64 {
  return (((q >> n) & BYTE_LSBS) * GATHER) >> 56;
}

/** Bits [64·word, 64·word + 64) ∩ [0, k) of a plane word. */
// @ts-expect-error: decorator
@inline function kBits(k: i32, word: i32): u64 {
  const left = k - (word << 6);
  return left >= 64 ? <u64>-1 : left <= 0 ? 0 : (<u64>1 << <u64>left) - 1;
}

/** The starting value of a plane word: pad bit n repeated over the word's part of K. */
// @ts-expect-error: decorator
@inline function padBits(mask: u64, padValue: i32, n: i32): u64 {
  return mask & (<u64>0 - <u64>((padValue >> n) & 1));
}

export function planeIm2col(
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
  dst: usize,
  dstStride: usize,
  kWords64: i32,
): void {
  const c = <usize>channels;
  const lineBytes = <usize>inW * c;
  const tapLine = kw * channels;
  const k = kh * tapLine;
  const planeBytes = <usize>kWords64 << 3;
  const pad = padValue & 255;
  const padWord = <u64>pad * BYTE_LSBS;
  // Output pixel (b, oy, ox) of row r, advanced row by row (no divisions in the loop).
  const outHW = outH * outW;
  let b = rowStart / outHW;
  let oy = (rowStart - b * outHW) / outW;
  let ox = rowStart - b * outHW - oy * outW;
  let out = dst;
  for (let r = rowStart; r < rowEnd; r++) {
    const y0 = oy * strideH - padTop;
    const x0 = ox * strideW - padLeft;
    // Taps [dx0, dx1) of a kernel row lie inside the image: bytes [before, before + inside) of it.
    const dx0 = max(0, -x0);
    const dx1 = max(dx0, min(kw, inW - x0));
    const before = dx0 * channels;
    const inside = (dx1 - dx0) * channels;
    let from = src + (<usize>b * <usize>inH + <usize>y0) * lineBytes + <usize>(x0 * channels + before);
    let at = before;
    let word = 0; // the plane word held in a0..a7, bits [64·word, 64·word + 64)
    let mask = kBits(k, 0);
    let a0 = padBits(mask, pad, 0),
      a1 = padBits(mask, pad, 1),
      a2 = padBits(mask, pad, 2),
      a3 = padBits(mask, pad, 3),
      a4 = padBits(mask, pad, 4),
      a5 = padBits(mask, pad, 5),
      a6 = padBits(mask, pad, 6),
      a7 = padBits(mask, pad, 7);
    let p = out;
    for (let dy = 0; dy < kh; dy++, at += tapLine, from += lineBytes) {
      const iy = y0 + dy;
      if (iy < 0 || iy >= inH) continue;
      let bit = at;
      let len = inside;
      let q0 = from;
      while (len > 0) {
        if (bit >= (word + 1) << 6) {
          // The run has passed the held word: store it, start the next.
          store<u64>(p, a0);
          store<u64>(p + planeBytes, a1);
          store<u64>(p + 2 * planeBytes, a2);
          store<u64>(p + 3 * planeBytes, a3);
          store<u64>(p + 4 * planeBytes, a4);
          store<u64>(p + 5 * planeBytes, a5);
          store<u64>(p + 6 * planeBytes, a6);
          store<u64>(p + 7 * planeBytes, a7);
          p += 8;
          word++;
          mask = kBits(k, word);
          a0 = padBits(mask, pad, 0);
          a1 = padBits(mask, pad, 1);
          a2 = padBits(mask, pad, 2);
          a3 = padBits(mask, pad, 3);
          a4 = padBits(mask, pad, 4);
          a5 = padBits(mask, pad, 5);
          a6 = padBits(mask, pad, 6);
          a7 = padBits(mask, pad, 7);
          continue;
        }
        const o = bit & 63;
        const n = min(len, min(8, 64 - o));
        const drop = <u64>(8 - n) << 3;
        const q = loadLow(q0, <usize>n, drop) ^ ((padWord << drop) >> drop);
        if (q) {
          const s = <u64>o;
          a0 ^= planeBits(q, 0) << s;
          a1 ^= planeBits(q, 1) << s;
          a2 ^= planeBits(q, 2) << s;
          a3 ^= planeBits(q, 3) << s;
          a4 ^= planeBits(q, 4) << s;
          a5 ^= planeBits(q, 5) << s;
          a6 ^= planeBits(q, 6) << s;
          a7 ^= planeBits(q, 7) << s;
        }
        bit += n;
        q0 += <usize>n;
        len -= n;
      }
    }
    // The held word, then the rest of the row's words (pad bits over K, zero past it).
    while (true) {
      store<u64>(p, a0);
      store<u64>(p + planeBytes, a1);
      store<u64>(p + 2 * planeBytes, a2);
      store<u64>(p + 3 * planeBytes, a3);
      store<u64>(p + 4 * planeBytes, a4);
      store<u64>(p + 5 * planeBytes, a5);
      store<u64>(p + 6 * planeBytes, a6);
      store<u64>(p + 7 * planeBytes, a7);
      if (++word >= kWords64) break;
      p += 8;
      mask = kBits(k, word);
      a0 = padBits(mask, pad, 0);
      a1 = padBits(mask, pad, 1);
      a2 = padBits(mask, pad, 2);
      a3 = padBits(mask, pad, 3);
      a4 = padBits(mask, pad, 4);
      a5 = padBits(mask, pad, 5);
      a6 = padBits(mask, pad, 6);
      a7 = padBits(mask, pad, 7);
    }
    out += dstStride;
    if (++ox == outW) {
      ox = 0;
      if (++oy == outH) {
        oy = 0;
        b++;
      }
    }
  }
}

/** Bytes [from, from + n) in the low bytes (n ≤ 8), reading nothing outside them but below. */
// @ts-expect-error: decorator
@inline function loadLow(from: usize, n: usize, drop: u64): u64 {
  if (from + n >= 8) return load<u64>(from + n - 8) >> drop;
  let q: u64 = 0; // a run within the memory's first 8 bytes
  for (let i: usize = 0; i < n; i++) q |= <u64>load<u8>(from + i) << (<u64>i << 3);
  return q;
}
