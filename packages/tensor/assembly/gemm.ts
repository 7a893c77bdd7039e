// Single-precision GEMM for WebAssembly SIMD, compiled by AssemblyScript (scripts/build-wasm.mjs).
// C (m×n) += alpha · op(A) · op(B), all row-major in linear memory; pointers are byte offsets.
// The host (src/wasm-gemm.ts) has already applied beta to C.
//
// Large products follow GotoBLAS/BLIS: for each NC-wide column block and KC-deep slice of op(B),
// pack that slice into NR-column panels (p-major, zero-padded); for each MC-row block of op(A),
// pack it into MR-row panels; then run the register-tiled micro-kernel over every MR×NR tile.
// Packing absorbs the transposes, so all four combinations share one inner loop.
//
// The tile is 2×16: V8 gives WebAssembly 15 usable xmm registers, and 8 accumulators + 4 B vectors
// + 1 broadcast A value + 1 temporary fit without spills. A 4×16 tile (16 accumulators) spills
// half its accumulators every step and measured ~35% slower here.

const MR: i32 = 2;
const NR: i32 = 16;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;

/** First free byte after the module's static data; the host lays out its buffers from here. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

/** Bytes of scratch the packed path needs (A block, B block, one edge tile). */
export function scratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

// @ts-expect-error: decorator
@inline
function transpose4x4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

// op(B)[p, j] for p in [pc, pc+kc), j in [jc, jc+nc) → panels of NR columns, each kc×NR, p-major.
function packB(b: usize, n: i32, k: i32, transB: bool, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const panelBytes = <usize>(kc * NR) * 4;
  const fullPanels = nc / NR;
  const tail = nc - fullPanels * NR;
  if (!transB) {
    // Row p of op(B) is contiguous: read it once, scatter 16-float pieces to the panels.
    for (let p = 0; p < kc; p++) {
      let src = b + (<usize>(pc + p) * <usize>n + <usize>jc) * 4;
      let d = dst + <usize>(p * NR) * 4;
      for (let jp = 0; jp < fullPanels; jp++) {
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        v128.store(d, v128.load(src, 32), 32);
        v128.store(d, v128.load(src, 48), 48);
        src += NR * 4;
        d += panelBytes;
      }
      if (tail > 0) {
        for (let jj = 0; jj < NR; jj++) store<f32>(d + (<usize>jj << 2), jj < tail ? load<f32>(src + (<usize>jj << 2)) : 0);
      }
    }
    return;
  }
  // B is stored n×k: column j of op(B) is row j of B. Transpose 4×4 blocks into the panels.
  const ldb = <usize>k * 4;
  const kc4 = kc & ~3;
  for (let jp = 0; jp <= fullPanels; jp++) {
    const cols = jp < fullPanels ? NR : tail;
    if (cols == 0) break;
    const panel = dst + <usize>jp * panelBytes;
    const row0 = b + (<usize>(jc + jp * NR) * <usize>k + <usize>pc) * 4;
    let jj = 0;
    for (; jj + 4 <= cols; jj += 4) {
      const src = row0 + <usize>jj * ldb;
      for (let p = 0; p < kc4; p += 4) {
        const s = src + (<usize>p << 2);
        transpose4x4Store(
          v128.load(s),
          v128.load(s + ldb),
          v128.load(s + 2 * ldb),
          v128.load(s + 3 * ldb),
          panel + (<usize>(p * NR + jj) << 2),
          NR * 4,
        );
      }
      for (let p = kc4; p < kc; p++)
        for (let t = 0; t < 4; t++)
          store<f32>(panel + (<usize>(p * NR + jj + t) << 2), load<f32>(src + <usize>t * ldb + (<usize>p << 2)));
    }
    for (; jj < NR; jj++) {
      const src = row0 + <usize>jj * ldb;
      let d = panel + (<usize>jj << 2);
      for (let p = 0; p < kc; p++) {
        store<f32>(d, jj < cols ? load<f32>(src + (<usize>p << 2)) : 0);
        d += NR * 4;
      }
    }
  }
}

// op(A)[i, p] for i in [ic, ic+mc), p in [pc, pc+kc) → panels of MR = 2 rows, each kc×2, p-major.
function packA(a: usize, m: i32, k: i32, transA: bool, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    let d = dst + <usize>(i0 * kc) * 4;
    if (transA) {
      // A is stored k×m: the two values of one p are adjacent.
      let src = a + (<usize>pc * <usize>m + <usize>(ic + i0)) * 4;
      const stride = <usize>m * 4;
      for (let p = 0; p < kc; p++) {
        store<f32>(d, load<f32>(src));
        store<f32>(d, rows == 2 ? load<f32>(src, 4) : 0, 4);
        src += stride;
        d += 8;
      }
    } else {
      // Rows are contiguous along p: interleave two rows four values at a time.
      const s0 = a + (<usize>(ic + i0) * <usize>k + <usize>pc) * 4;
      const s1 = rows == 2 ? s0 + <usize>k * 4 : 0;
      let p = 0;
      if (rows == 2) {
        for (; p + 4 <= kc; p += 4) {
          const r0 = v128.load(s0 + (<usize>p << 2));
          const r1 = v128.load(s1 + (<usize>p << 2));
          v128.store(d, v128.shuffle<f32>(r0, r1, 0, 4, 1, 5));
          v128.store(d, v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), 16);
          d += 32;
        }
      }
      for (; p < kc; p++) {
        store<f32>(d, load<f32>(s0 + (<usize>p << 2)));
        store<f32>(d, rows == 2 ? load<f32>(s1 + (<usize>p << 2)) : 0, 4);
        d += 8;
      }
    }
  }
}

// C[0..2, 0..16] += alpha · Apanel · Bpanel over kc steps; ldc in bytes.
// @ts-expect-error: decorator
@inline
function kernel2x16(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, alpha: f32): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c02 = f32x4.splat(0);
  let c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c12 = f32x4.splat(0);
  let c13 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const b2 = v128.load(bp, 32);
    const b3 = v128.load(bp, 48);
    const a0 = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c02 = f32x4.add(c02, f32x4.mul(a0, b2));
    c03 = f32x4.add(c03, f32x4.mul(a0, b3));
    const a1 = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c12 = f32x4.add(c12, f32x4.mul(a1, b2));
    c13 = f32x4.add(c13, f32x4.mul(a1, b3));
    ap += 8;
    bp += 64;
  }
  const al = f32x4.splat(alpha);
  v128.store(c, f32x4.add(v128.load(c), f32x4.mul(al, c00)));
  v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(al, c01)), 16);
  v128.store(c, f32x4.add(v128.load(c, 32), f32x4.mul(al, c02)), 32);
  v128.store(c, f32x4.add(v128.load(c, 48), f32x4.mul(al, c03)), 48);
  const r = c + ldc;
  v128.store(r, f32x4.add(v128.load(r), f32x4.mul(al, c10)));
  v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(al, c11)), 16);
  v128.store(r, f32x4.add(v128.load(r, 32), f32x4.mul(al, c12)), 32);
  v128.store(r, f32x4.add(v128.load(r, 48), f32x4.mul(al, c13)), 48);
}

// Rows of op(A) with at most this many rows skip packing: each output row is one streaming pass over
// B (or over Bᵀ's rows), which beats packing B when the packed panels would be reused this rarely.
const SMALL_M: i32 = 3;

// c[0..n) += sum over p of a[p] · row p of B (k rows, row stride ldb bytes): four rows of B per pass.
function rowTimesB(arow: usize, b: usize, crow: usize, n: i32, k: i32, alpha: f32, ldb: usize): void {
  const n4 = n & ~3;
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const pa = arow + (<usize>p << 2);
    const s0 = alpha * load<f32>(pa);
    const s1 = alpha * load<f32>(pa, 4);
    const s2 = alpha * load<f32>(pa, 8);
    const s3 = alpha * load<f32>(pa, 12);
    const a0 = f32x4.splat(s0);
    const a1 = f32x4.splat(s1);
    const a2 = f32x4.splat(s2);
    const a3 = f32x4.splat(s3);
    const r0 = b + <usize>p * ldb;
    const r1 = r0 + ldb;
    const r2 = r1 + ldb;
    const r3 = r2 + ldb;
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.add(v128.load(crow + o), f32x4.mul(a0, v128.load(r0 + o)));
      v = f32x4.add(v, f32x4.mul(a1, v128.load(r1 + o)));
      v = f32x4.add(v, f32x4.mul(a2, v128.load(r2 + o)));
      v = f32x4.add(v, f32x4.mul(a3, v128.load(r3 + o)));
      v128.store(crow + o, v);
    }
    for (let j = n4; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(
        crow + o,
        load<f32>(crow + o) + s0 * load<f32>(r0 + o) + s1 * load<f32>(r1 + o) + s2 * load<f32>(r2 + o) + s3 * load<f32>(r3 + o),
      );
    }
  }
  for (; p < k; p++) {
    const s0 = alpha * load<f32>(arow + (<usize>p << 2));
    const a0 = f32x4.splat(s0);
    const r0 = b + <usize>p * ldb;
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(crow + o, f32x4.add(v128.load(crow + o), f32x4.mul(a0, v128.load(r0 + o))));
    }
    for (let j = n4; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(crow + o, load<f32>(crow + o) + s0 * load<f32>(r0 + o));
    }
  }
}

// @ts-expect-error: decorator
@inline
function horizontalSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// c[j] += alpha · dot(arow, row j of B) for B stored n×k (op(B) = Bᵀ): four dot products per pass.
function rowTimesBt(arow: usize, b: usize, crow: usize, n: i32, k: i32, alpha: f32): void {
  const ldb = <usize>k * 4;
  const k4 = k & ~3;
  let j = 0;
  for (; j < n; j += 4) {
    const rows = min(4, n - j);
    const r0 = b + <usize>j * ldb;
    // Rows past n alias row 0 (always valid memory); their sums are discarded.
    const r1 = rows > 1 ? r0 + ldb : r0;
    const r2 = rows > 2 ? r0 + 2 * ldb : r0;
    const r3 = rows > 3 ? r0 + 3 * ldb : r0;
    let d0 = f32x4.splat(0);
    let d1 = f32x4.splat(0);
    let d2 = f32x4.splat(0);
    let d3 = f32x4.splat(0);
    for (let p = 0; p < k4; p += 4) {
      const o = <usize>p << 2;
      const av = v128.load(arow + o);
      d0 = f32x4.add(d0, f32x4.mul(av, v128.load(r0 + o)));
      d1 = f32x4.add(d1, f32x4.mul(av, v128.load(r1 + o)));
      d2 = f32x4.add(d2, f32x4.mul(av, v128.load(r2 + o)));
      d3 = f32x4.add(d3, f32x4.mul(av, v128.load(r3 + o)));
    }
    let t0 = horizontalSum(d0);
    let t1 = horizontalSum(d1);
    let t2 = horizontalSum(d2);
    let t3 = horizontalSum(d3);
    for (let p = k4; p < k; p++) {
      const o = <usize>p << 2;
      const av = load<f32>(arow + o);
      t0 += av * load<f32>(r0 + o);
      t1 += av * load<f32>(r1 + o);
      t2 += av * load<f32>(r2 + o);
      t3 += av * load<f32>(r3 + o);
    }
    const cj = crow + (<usize>j << 2);
    store<f32>(cj, load<f32>(cj) + alpha * t0);
    if (rows > 1) store<f32>(cj, load<f32>(cj, 4) + alpha * t1, 4);
    if (rows > 2) store<f32>(cj, load<f32>(cj, 8) + alpha * t2, 8);
    if (rows > 3) store<f32>(cj, load<f32>(cj, 12) + alpha * t3, 12);
  }
}

// Small m: one streaming pass over B per row of op(A); a transposed A row is gathered to scratch first.
// Rows [i0, i1) and columns [j0, j1) of C only; each column's sums do not depend on the range.
function sgemmSmallM(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, alpha: f32, scratch: usize,
  i0: i32, i1: i32, j0: i32, j1: i32,
): void {
  const cols = j1 - j0;
  for (let i = i0; i < i1; i++) {
    let arow = a + <usize>i * <usize>k * 4;
    if (transA) {
      for (let p = 0; p < k; p++) store<f32>(scratch + (<usize>p << 2), load<f32>(a + (<usize>p * <usize>m + <usize>i) * 4));
      arow = scratch;
    }
    const crow = c + (<usize>i * <usize>n + <usize>j0) * 4;
    if (transB) rowTimesBt(arow, b + <usize>j0 * <usize>k * 4, crow, cols, k, alpha);
    else rowTimesB(arow, b + (<usize>j0 << 2), crow, cols, k, alpha, <usize>n * 4);
  }
}

/**
 * C (m×n) += alpha · op(A) · op(B). op(A) is m×k (A stored k×m when transA), op(B) is k×n (B stored
 * n×k when transB). `scratch` must hold scratchBytes() bytes, 16-byte aligned.
 */
export function sgemm(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  n: i32,
  k: i32,
  transA: bool,
  transB: bool,
  alpha: f32,
  scratch: usize,
): void {
  sgemmPart(a, b, c, m, n, k, transA, transB, alpha, scratch, 0, m, 0, n);
}

/**
 * The block C[i0..i1, j0..j1] of `sgemm`, for threads that split C between them. Every element gets
 * the same operations in the same order as in the whole product (the path is chosen from the full m,
 * tiles are never split when i0 is a multiple of 2 and j0 of 16), so split results are bit-identical.
 */
export function sgemmPart(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  n: i32,
  k: i32,
  transA: bool,
  transB: bool,
  alpha: f32,
  scratch: usize,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
): void {
  if (i1 <= i0 || j1 <= j0) return;
  if (m <= SMALL_M && k <= scratchBytes() / 4) {
    sgemmSmallM(a, b, c, m, n, k, transA, transB, alpha, scratch, i0, i1, j0, j1);
    return;
  }
  const packedA = scratch;
  const packedB = packedA + <usize>(MC * KC) * 4;
  const edge = packedB + <usize>(KC * NC) * 4;
  const ldc = <usize>n * 4;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(b, n, k, transB, pc, kc, jc, nc, packedB);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(a, m, k, transA, ic, mc, pc, kc, packedA);
        for (let jt = 0; jt < nc; jt += NR) {
          const cols = min(NR, nc - jt);
          const bp = packedB + <usize>(jt * kc) * 4;
          for (let it = 0; it < mc; it += MR) {
            const rows = min(MR, mc - it);
            const ap = packedA + <usize>(it * kc) * 4;
            const ct = c + <usize>(ic + it) * ldc + <usize>(jc + jt) * 4;
            if (rows == MR && cols == NR) {
              kernel2x16(ap, bp, kc, ct, ldc, alpha);
            } else {
              // Partial tile: run the full kernel into a zeroed scratch tile, then add the valid part.
              memory.fill(edge, 0, MR * NR * 4);
              kernel2x16(ap, bp, kc, edge, NR * 4, alpha);
              for (let ii = 0; ii < rows; ii++)
                for (let jj = 0; jj < cols; jj++) {
                  const dst = ct + <usize>ii * ldc + (<usize>jj << 2);
                  store<f32>(dst, load<f32>(dst) + load<f32>(edge + <usize>(ii * NR + jj) * 4));
                }
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// im2col / col2im for NHWC convolutions, so a convolution's gather and scatter run next to the
// GEMM in linear memory instead of being copied in from JavaScript.

/**
 * Rows [r0, r1) of the im2col matrix (flat output pixel index over batch·outH·outW) written to
 * `cols`, each kernelH·kernelW·inC floats in (ky, kx, c) order; out-of-image taps get padValue.
 */
export function im2col(
  input: usize,
  inH: i32,
  inW: i32,
  inC: i32,
  kernelH: i32,
  kernelW: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  padValue: f32,
  r0: i32,
  r1: i32,
  cols: usize,
): void {
  const perImage = outH * outW;
  const span = kernelW * inC;
  const pad = f32x4.splat(padValue);
  let b = r0 / perImage;
  let oy = (r0 - b * perImage) / outW;
  let ox = r0 - b * perImage - oy * outW;
  let dst = cols;
  for (let r = r0; r < r1; r++) {
    const x0 = ox * strideW - padLeft;
    const inside = x0 >= 0 && x0 + kernelW <= inW;
    for (let ky = 0; ky < kernelH; ky++) {
      const y = oy * strideH + ky - padTop;
      if (y < 0 || y >= inH) {
        fillPad(dst, span, pad, padValue);
      } else if (inside) {
        // The kernelW pixels of one kernel row are adjacent in NHWC: one contiguous copy.
        memory.copy(dst, input + <usize>(((b * inH + y) * inW + x0) * inC) * 4, <usize>span * 4);
      } else {
        for (let kx = 0; kx < kernelW; kx++) {
          const x = x0 + kx;
          const o = dst + <usize>(kx * inC) * 4;
          if (x >= 0 && x < inW) memory.copy(o, input + <usize>(((b * inH + y) * inW + x) * inC) * 4, <usize>inC * 4);
          else fillPad(o, inC, pad, padValue);
        }
      }
      dst += <usize>span * 4;
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

// @ts-ignore: decorator
@inline
function fillPad(dst: usize, count: i32, pad: v128, padValue: f32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), pad);
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), padValue);
}

// dst[0..count) += src[0..count)
// @ts-ignore: decorator
@inline
function addInto(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** Scatter-adds rows [r0, r1) of `gradCols` onto the input positions im2col gathered them from. */
export function col2imAdd(
  gradCols: usize,
  inH: i32,
  inW: i32,
  inC: i32,
  kernelH: i32,
  kernelW: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  r0: i32,
  r1: i32,
  gradInput: usize,
): void {
  const perImage = outH * outW;
  const span = kernelW * inC;
  let b = r0 / perImage;
  let oy = (r0 - b * perImage) / outW;
  let ox = r0 - b * perImage - oy * outW;
  let src = gradCols;
  for (let r = r0; r < r1; r++) {
    const x0 = ox * strideW - padLeft;
    const inside = x0 >= 0 && x0 + kernelW <= inW;
    for (let ky = 0; ky < kernelH; ky++) {
      const y = oy * strideH + ky - padTop;
      if (y >= 0 && y < inH) {
        const rowStart = (b * inH + y) * inW;
        if (inside) {
          addInto(gradInput + <usize>((rowStart + x0) * inC) * 4, src, span);
        } else {
          for (let kx = 0; kx < kernelW; kx++) {
            const x = x0 + kx;
            if (x >= 0 && x < inW) addInto(gradInput + <usize>((rowStart + x) * inC) * 4, src + <usize>(kx * inC) * 4, inC);
          }
        }
      }
      src += <usize>span * 4;
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

/** Zeroes C[i0..i1, j0..j1] (C is m×n): each thread clears its own block before an overwriting product. */
export function zeroBlock(c: usize, n: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  if (j1 <= j0) return;
  for (let i = i0; i < i1; i++) memory.fill(c + (<usize>i * <usize>n + <usize>j0) * 4, 0, <usize>(j1 - j0) * 4);
}
