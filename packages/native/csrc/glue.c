/* The float glue kernels of glue.h: plain C (the compiler vectorizes the channel loops), float64
 * arithmetic in the TypeScript steps' order so the results are bit-identical to them. */
#include <math.h>
#include <string.h>

#include "glue.h"

/* Each kernel is built for AVX-512, AVX2 and the baseline, picked at load by the CPU (the channel
 * loops vectorize over float64 lanes; the arithmetic, and so the result, is the same in all three). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(GLUE_ONE_ISA)
#define GLUE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GLUE_CLONES
#endif
#define GLUE_INLINE static inline __attribute__((always_inline))
/* Lets the compiler fuse a multiply and an add (the build turns contraction off everywhere else). */
#if defined(__GNUC__) && !defined(__clang__)
#define GLUE_CONTRACT __attribute__((optimize("fp-contract=fast")))
/* Lets the compiler evaluate both sides of a select, as vectors. It changes no result, only whether an
 * operation may raise a floating-point exception flag, which nothing here reads. */
#define GLUE_NO_TRAPS __attribute__((optimize("no-trapping-math")))
#else
#define GLUE_CONTRACT
#define GLUE_NO_TRAPS
#endif

/* Pixel r's window origin and image. */
typedef struct {
  const float *img;
  int32_t y0, x0;
} window_at_t;

GLUE_INLINE window_at_t window_at(const fconv_t *g, const float *x, int64_t r) {
  const int64_t out_hw = (int64_t)g->out_h * g->out_w;
  const int64_t b = r / out_hw, rem = r - b * out_hw;
  const int32_t oy = (int32_t)(rem / g->out_w), ox = (int32_t)(rem - (int64_t)oy * g->out_w);
  return (window_at_t){x + b * g->height * g->width * (int64_t)g->channels, oy * g->stride_h - g->pad_top,
                       ox * g->stride_w - g->pad_left};
}

/* Tap (i, j)'s input pixel, or NULL where it is padding. */
GLUE_INLINE const float *tap_pixel(const fconv_t *g, window_at_t w, int32_t i, int32_t j) {
  const int32_t iy = w.y0 + i * g->dilation_h, ix = w.x0 + j * g->dilation_w;
  if (iy < 0 || iy >= g->height || ix < 0 || ix >= g->width) return NULL;
  return w.img + ((int64_t)iy * g->width + ix) * g->channels;
}

GLUE_INLINE void store_row(float *restrict dst, const double *acc, const float *bias, int32_t n) {
  if (bias)
    for (int32_t o = 0; o < n; o++) dst[o] = (float)(acc[o] + (double)bias[o]);
  else
    for (int32_t o = 0; o < n; o++) dst[o] = (float)acc[o];
}

/* Groups of PER outputs (a constant: the sums stay in registers across the window) for ROWS pixels
 * at a time, whose independent sums hide the adds' latency; each sum still runs in tap order. */
GLUE_INLINE void conv_block_fixed(const fconv_t *g, const float *x, const float *wt, const float *bias,
                                  double pad_value, float *out, int64_t r, const int per, const int rows) {
  const int32_t n = g->n, cin = g->channels / g->groups;
  window_at_t at[4];
  for (int k = 0; k < rows; k++) at[k] = window_at(g, x, r + k);
  for (int32_t q = 0; q < g->groups; q++) {
    double a[4][16];
    for (int k = 0; k < rows; k++)
      for (int o = 0; o < per; o++) a[k][o] = 0;
    const float *w = wt + (size_t)q * per;
    for (int32_t i = 0; i < g->kernel_h; i++)
      for (int32_t j = 0; j < g->kernel_w; j++, w += (size_t)cin * n) {
        const float *px[4];
        for (int k = 0; k < rows; k++) px[k] = tap_pixel(g, at[k], i, j);
        for (int32_t ci = 0; ci < cin; ci++) {
          const float *wr = w + (size_t)ci * n;
          for (int k = 0; k < rows; k++) {
            const double v = px[k] ? px[k][q * cin + ci] : pad_value;
            for (int o = 0; o < per; o++) a[k][o] += v * (double)wr[o];
          }
        }
      }
    for (int k = 0; k < rows; k++)
      store_row(out + (r + k) * n + (size_t)q * per, a[k], bias ? bias + (size_t)q * per : NULL, per);
  }
}

GLUE_INLINE void conv_rows_fixed(const fconv_t *g, const float *x, const float *wt, const float *bias,
                                 double pad_value, float *out, const int per) {
  int64_t r = g->row_start;
  for (; r + 4 <= g->row_end; r += 4) conv_block_fixed(g, x, wt, bias, pad_value, out, r, per, 4);
  for (; r < g->row_end; r++) conv_block_fixed(g, x, wt, bias, pad_value, out, r, per, 1);
}

/* Vector tiles for groups of 8 outputs and more: sums of 8 doubles per vector (GCC/Clang vector
 * extensions, so each clone — and the NEON build — gets its own registers), tr pixels × tv vectors
 * held in registers, each tap's weights widened from float once and shared by the tile's pixels.
 * Every lane still adds v·w (two roundings: the build contracts no FMA) in tap order. */
/* The helpers below are inlined, so no vector crosses a call: GCC's note that passing one changes
 * the ABI between the clones does not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double v8d __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));

GLUE_INLINE v8d load8(const float *p) {
  v8f f;
  memcpy(&f, p, sizeof f);
  return __builtin_convertvector(f, v8d);
}

/* A tile's pixels: each one's window, and where the window lies inside the image, its first tap
 * (then tap (i, j) is at a fixed offset, unchecked). */
typedef struct {
  window_at_t at[8];
  const float *inside[8];
} tile_rows_t;

/* Kernels of up to this many taps get each tile's tap pointers once, for all its groups. */
#define TABLE_TAPS 49

/* Output pixel coordinates, advanced one by one (no divisions per pixel). */
typedef struct {
  int64_t b;
  int32_t oy, ox;
} pixel_t;

GLUE_INLINE pixel_t pixel_of(const fconv_t *g, int64_t r) {
  const int64_t out_hw = (int64_t)g->out_h * g->out_w, b = r / out_hw, rem = r - b * out_hw;
  const int32_t oy = (int32_t)(rem / g->out_w);
  return (pixel_t){b, oy, (int32_t)(rem - (int64_t)oy * g->out_w)};
}

GLUE_INLINE void tile_rows(const fconv_t *g, const float *x, pixel_t *p, int tr, tile_rows_t *t) {
  for (int k = 0; k < tr; k++) {
    const window_at_t w = {x + p->b * g->height * g->width * (int64_t)g->channels, p->oy * g->stride_h - g->pad_top,
                           p->ox * g->stride_w - g->pad_left};
    t->at[k] = w;
    const int32_t y1 = w.y0 + (g->kernel_h - 1) * g->dilation_h, x1 = w.x0 + (g->kernel_w - 1) * g->dilation_w;
    t->inside[k] = w.y0 >= 0 && w.x0 >= 0 && y1 < g->height && x1 < g->width
                       ? w.img + ((int64_t)w.y0 * g->width + w.x0) * g->channels
                       : NULL;
    if (++p->ox == g->out_w) {
      p->ox = 0;
      if (++p->oy == g->out_h) p->oy = 0, p->b++;
    }
  }
}

/* A tile's sums (+ bias) rounded to float into columns [col, col + 8·tv) of its tr output rows. */
GLUE_INLINE void store_tile(v8d a[8][8], const float *bias, float *out, int32_t n, size_t col, const int tr,
                            const int tv) {
  for (int k = 0; k < tr; k++)
    for (int v = 0; v < tv; v++) {
      v8d y = a[k][v];
      if (bias) y += load8(bias + col + 8 * v);
      const v8f f = __builtin_convertvector(y, v8f);
      memcpy(out + (size_t)k * n + col + 8 * v, &f, sizeof f);
    }
}

/* Outputs [o0, o0 + 8·tv) of group q for pixels r … r + tr − 1. */
GLUE_INLINE void conv_tile(const fconv_t *g, const tile_rows_t *t, const float *const *table, const float *wt,
                           const float *bias, double pad_value, float *out, int64_t r, int32_t q, int32_t o0, const int tr, const int tv) {
  const int32_t n = g->n, cin = g->channels / g->groups, per = n / g->groups;
  v8d a[8][8];
  for (int k = 0; k < tr; k++)
    for (int v = 0; v < tv; v++) a[k][v] = (v8d){0};
  const float *w = wt + (size_t)q * per + o0;
  for (int32_t i = 0; i < g->kernel_h; i++)
    for (int32_t j = 0; j < g->kernel_w; j++, w += (size_t)cin * n) {
      const int64_t offset = ((int64_t)i * g->dilation_h * g->width + (int64_t)j * g->dilation_w) * g->channels;
      const float *px[8];
      for (int k = 0; k < tr; k++) {
        px[k] = table ? table[(i * g->kernel_w + j) * 8 + k]
                : t->inside[k] ? t->inside[k] + offset
                               : tap_pixel(g, t->at[k], i, j);
        if (px[k]) px[k] += (size_t)q * cin;
        /* In a general register: a vectorized copy of the 8 pointers, read back one by one, stalls
         * store forwarding (a third of the depthwise time). */
        __asm__("" : "+r"(px[k]));
      }
      for (int32_t ci = 0; ci < cin; ci++) {
        v8d wv[8];
        for (int v = 0; v < tv; v++) wv[v] = load8(w + (size_t)ci * n + 8 * v);
        for (int k = 0; k < tr; k++) {
          const double s = px[k] ? (double)px[k][ci] : pad_value;
          for (int v = 0; v < tv; v++) a[k][v] += s * wv[v];
        }
      }
    }
  store_tile(a, bias, out + r * n, n, (size_t)q * per + o0, tr, tv);
}

/* A tile whose pixels lie in one output row with every window inside the image (most tiles): pixel
 * k's tap is at base + k·step, no padding to test. Here a += s·w may be one fused multiply-add: s and
 * w are floats, so their product is exact in double and one rounding of s·w + a equals the two of
 * the TypeScript step (padding values, which need not be floats, never get here). */
GLUE_INLINE void conv_tile_inside(const fconv_t *g, const float *base, int64_t step, const float *wt,
                                  const float *bias, float *out, int64_t r, int32_t q, int32_t o0, const int tr,
                                  const int tv) {
  const int32_t n = g->n, cin = g->channels / g->groups, per = n / g->groups;
  v8d a[8][8];
  for (int k = 0; k < tr; k++)
    for (int v = 0; v < tv; v++) a[k][v] = (v8d){0};
  const float *w = wt + (size_t)q * per + o0;
  base += (size_t)q * cin;
  for (int32_t i = 0; i < g->kernel_h; i++)
    for (int32_t j = 0; j < g->kernel_w; j++, w += (size_t)cin * n) {
      const float *px = base + ((int64_t)i * g->dilation_h * g->width + (int64_t)j * g->dilation_w) * g->channels;
      for (int32_t ci = 0; ci < cin; ci++) {
        v8d wv[8];
        for (int v = 0; v < tv; v++) wv[v] = load8(w + (size_t)ci * n + 8 * v);
        for (int k = 0; k < tr; k++) {
          const double s = px[k * step + ci];
          for (int v = 0; v < tv; v++) a[k][v] += s * wv[v];
        }
      }
    }
  store_tile(a, bias, out + r * n, n, (size_t)q * per + o0, tr, tv);
}

/* The interior tiles of one (tr, tv) shape, in a function of their own built with contraction on
 * (see conv_tile_inside), one clone per ISA like the rest. */
#define INSIDE_TILES(TR, TV)                                                                                  \
  GLUE_CLONES GLUE_CONTRACT __attribute__((noinline)) static void inside_##TR##x##TV(                    \
      const fconv_t *g, const float *base, int64_t step, const float *wt, const float *bias, float *out,     \
      int64_t r, int32_t o0) {                                                                             \
    for (int32_t q = 0; q < g->groups; q++) conv_tile_inside(g, base, step, wt, bias, out, r, q, o0, TR, TV); \
  }
INSIDE_TILES(8, 1)
INSIDE_TILES(4, 2)
INSIDE_TILES(2, 4)
INSIDE_TILES(1, 8)

/* Runs an interior tile of a shape above; 0 for the others (the single pixels after the last whole tile). */
GLUE_INLINE int inside_tiles(const fconv_t *g, const float *base, const float *wt, const float *bias, float *out,
                             int64_t r, int32_t o0, const int tr, const int tv) {
  const int64_t step = (int64_t)g->stride_w * g->channels;
  if (tr == 8 && tv == 1) inside_8x1(g, base, step, wt, bias, out, r, o0);
  else if (tr == 4 && tv == 2) inside_4x2(g, base, step, wt, bias, out, r, o0);
  else if (tr == 2 && tv == 4) inside_2x4(g, base, step, wt, bias, out, r, o0);
  else if (tr == 1 && tv == 8) inside_1x8(g, base, step, wt, bias, out, r, o0);
  else return 0;
  return 1;
}

/* Whether the tile's tr pixels are consecutive in one output row with every window inside. */
GLUE_INLINE int tile_inside(const fconv_t *g, const tile_rows_t *t, const int tr) {
  const int64_t step = (int64_t)g->stride_w * g->channels;
  for (int k = 0; k < tr; k++)
    if (!t->inside[k] || t->inside[k] != t->inside[0] + k * step) return 0;
  return 1;
}

/* Outputs [o0, o0 + 8·tv) of every group for the `tiles` tiles of tr pixels from pixel r (at p). */
GLUE_INLINE void conv_tiles(const fconv_t *g, const float *x, const float *wt, const float *bias, double pad_value,
                            float *out, int32_t o0, pixel_t *p, int64_t r, int64_t tiles, const int tr, const int tv) {
  tile_rows_t t;
  const float *table[TABLE_TAPS * 8];
  const int tabled = g->groups > 1 && g->kernel_h * g->kernel_w <= TABLE_TAPS;
  for (int64_t e = 0; e < tiles; e++, r += tr) {
    tile_rows(g, x, p, tr, &t);
    if (tile_inside(g, &t, tr) && inside_tiles(g, t.inside[0], wt, bias, out, r, o0, tr, tv)) continue;
    if (tabled)
      for (int32_t i = 0; i < g->kernel_h; i++)
        for (int32_t j = 0; j < g->kernel_w; j++)
          for (int k = 0; k < tr; k++) table[(i * g->kernel_w + j) * 8 + k] = tap_pixel(g, t.at[k], i, j);
    for (int32_t q = 0; q < g->groups; q++)
      conv_tile(g, &t, tabled ? table : NULL, wt, bias, pad_value, out, r, q, o0, tr, tv);
  }
}

/* Outputs [o0, o0 + 8·tv) of every group: pixels in tiles of tr, the last few one by one. */
GLUE_INLINE void conv_columns(const fconv_t *g, const float *x, const float *wt, const float *bias,
                              double pad_value, float *out, int32_t o0, const int tr, const int tv) {
  pixel_t p = pixel_of(g, g->row_start);
  const int64_t rows = g->row_end - g->row_start, tiles = rows / tr;
  conv_tiles(g, x, wt, bias, pad_value, out, o0, &p, g->row_start, tiles, tr, tv);
  conv_tiles(g, x, wt, bias, pad_value, out, o0, &p, g->row_start + tiles * tr, rows - tiles * tr, 1, tv);
}

/* Columns [c0, c1) of each group in scalar double sums, one pixel at a time (groups of fewer than 8
 * outputs, and the last per % 8 columns of wider ones). */
GLUE_INLINE void conv_rows_scalar(const fconv_t *g, const float *x, const float *wt, const float *bias,
                                  double pad_value, float *out, double *acc, int32_t c0, int32_t c1) {
  const int32_t n = g->n, groups = g->groups, cin = g->channels / g->groups, per = n / groups, m = c1 - c0;
  for (int64_t r = g->row_start; r < g->row_end; r++) {
    const window_at_t at = window_at(g, x, r);
    for (int32_t q = 0; q < groups; q++) {
      for (int32_t o = 0; o < m; o++) acc[o] = 0;
      const float *w = wt + (size_t)q * per + c0;
      for (int32_t i = 0; i < g->kernel_h; i++)
        for (int32_t j = 0; j < g->kernel_w; j++, w += (size_t)cin * n) {
          const float *px = tap_pixel(g, at, i, j);
          for (int32_t ci = 0; ci < cin; ci++) {
            const double v = px ? px[q * cin + ci] : pad_value;
            const float *restrict wr = w + (size_t)ci * n;
            for (int32_t o = 0; o < m; o++) acc[o] += v * (double)wr[o];
          }
        }
      store_row(out + r * n + (size_t)q * per + c0, acc, bias ? bias + (size_t)q * per + c0 : NULL, m);
    }
  }
}

/* Depthwise with multiplier 1 (output o reads input channel o): the channel loop vectorizes. */
GLUE_INLINE void conv_rows_depthwise(const fconv_t *g, const float *x, const float *wt, const float *bias,
                                     double pad_value, float *out, double *acc) {
  const int32_t n = g->n;
  for (int64_t r = g->row_start; r < g->row_end; r++) {
    const window_at_t at = window_at(g, x, r);
    for (int32_t o = 0; o < n; o++) acc[o] = 0;
    const float *w = wt;
    for (int32_t i = 0; i < g->kernel_h; i++)
      for (int32_t j = 0; j < g->kernel_w; j++, w += n) {
        const float *px = tap_pixel(g, at, i, j);
        if (px)
          for (int32_t o = 0; o < n; o++) acc[o] += (double)px[o] * (double)w[o];
        else
          for (int32_t o = 0; o < n; o++) acc[o] += pad_value * (double)w[o];
      }
    store_row(out + r * n, acc, bias, n);
  }
}

GLUE_CLONES
void fconv_rows(const fconv_t *g, const float *x, const float *wt, const float *bias, double pad_value, float *out,
                double *acc) {
  const int32_t cin = g->channels / g->groups, per = g->n / g->groups;
  if (per == 1 && cin == 1) return conv_rows_depthwise(g, x, wt, bias, pad_value, out, acc);
  if (per == 4) return conv_rows_fixed(g, x, wt, bias, pad_value, out, 4);
  /* A few pixels against many outputs (dense layers at batch 1) stream the weights row by row. */
  if (per >= 64 && (g->row_end - g->row_start) * g->groups < 4)
    return conv_rows_scalar(g, x, wt, bias, pad_value, out, acc, 0, per);
  /* Eight vectors of sums per tile: 8 pixels × 8 outputs, 4 × 16, 2 × 32 or 1 × 64. */
  int32_t o = 0;
  for (; o + 64 <= per; o += 64) conv_columns(g, x, wt, bias, pad_value, out, o, 1, 8);
  if (o + 32 <= per) conv_columns(g, x, wt, bias, pad_value, out, o, 2, 4), o += 32;
  if (o + 16 <= per) conv_columns(g, x, wt, bias, pad_value, out, o, 4, 2), o += 16;
  if (o + 8 <= per) conv_columns(g, x, wt, bias, pad_value, out, o, 8, 1), o += 8;
  if (o < per) conv_rows_scalar(g, x, wt, bias, pad_value, out, acc, o, per);
}

/* One position's channels through the chain, each flag a constant where it is inlined, so every
 * variant is a straight loop the compiler vectorizes. Clamps are Math.min(Math.max(y, lo), hi) for
 * bounds that are not NaN and an upper bound that is not −0 (the runtime keeps those in TypeScript):
 * a NaN y stays NaN, and with lo = +0 a −0 becomes +0, as Math.max prefers +0. That is y + zero, with
 * zero = +0.0 when lo = +0 and −0.0 otherwise (which changes no value: −0 + −0 = −0), so the two
 * kinds of clamp share a variant. A trailing prelu keeps y ≥ 0 (−0 included) and rounds α·y otherwise
 * (exact in double, one float rounding). */
GLUE_INLINE void affine_span(const float *restrict s, const float *restrict q, float *restrict d, int32_t c,
                             int mode, int clamp, int has_q, int after, int prelu, const double bounds[6],
                             const double *mean, const double *root, const double *gamma, const double *beta,
                             const double *alpha) {
  const double lo = bounds[0], hi = bounds[1], zero = bounds[2], lo2 = bounds[3], hi2 = bounds[4], zero2 = bounds[5];
  for (int32_t ch = 0; ch < c; ch++) {
    double y = s[ch];
    if (clamp) {
      y = y < lo ? lo : y;
      y = y + zero;
      y = y > hi ? hi : y;
    }
    if (mode == 1) y = (float)(y * gamma[ch] + beta[ch]);
    else if (mode == 2) y = (float)(((y - mean[ch]) / root[ch]) * gamma[ch] + beta[ch]);
    else if (mode == 3) y = (float)(y * gamma[ch]);
    if (has_q) y = (float)(y + (double)q[ch]);
    if (after) {
      y = y < lo2 ? lo2 : y;
      y = y + zero2;
      y = y > hi2 ? hi2 : y;
    }
    if (prelu) y = y >= 0 ? y : (double)(float)(alpha[ch] * y);
    d[ch] = (float)y;
  }
}

/* A clamp's [lo, hi] and the zero it adds (above). */
static void clamp_bounds(double lo, double hi, double out[3]) {
  out[0] = lo;
  out[1] = hi;
  out[2] = lo == 0 && !signbit(lo) ? 0.0 : -0.0;
}

/* GLUE_NO_TRAPS: the prelu's select vectorizes (10–15× on a BatchNorm + PReLU chain with AVX-512). */
GLUE_CLONES GLUE_NO_TRAPS
void faffine_rows(const faffine_t *a, const float *src, const float *other, float *dst, const double *mean,
                  const double *root, const double *gamma, const double *beta, uint32_t *bits, const double *t,
                  const double *sgn) {
  const int32_t c = a->channels;
  double bounds[6];
  clamp_bounds(a->lo, a->hi, bounds);
  clamp_bounds(a->lo2, a->hi2, bounds + 3);
  /* mode + 4: a trailing prelu, its α after the sign's [t, sgn]. */
  const int mode = a->mode & 3, prelu = (a->mode >> 2) & 1;
  const double *alpha = sgn + c;
  const int clamp = a->clamp != 0, after = a->clamp_after != 0;
  const int key = (((mode * 2 + clamp) * 2 + (other != NULL)) * 2 + after) * 2 + prelu;
  for (int64_t p = 0; p < a->positions; p++) {
    const float *s = src + p * c;
    const float *q = other ? other + p * c : NULL;
    float *d = dst + p * c;
    /* A standalone sign (no parts, dst = src) only reads the values. */
    const int copy_only = key == 0 && d == s;
#define SPAN(M, C, Q, A, P)                                                                    \
  case (((M * 2 + C) * 2 + Q) * 2 + A) * 2 + P:                                                \
    affine_span(s, q, d, c, M, C, Q, A, P, bounds, mean, root, gamma, beta, alpha); \
    break;
#define SPAN_P(M, C, Q, A) SPAN(M, C, Q, A, 0) SPAN(M, C, Q, A, 1)
#define SPAN_A(M, C, Q) SPAN_P(M, C, Q, 0) SPAN_P(M, C, Q, 1)
#define SPAN_Q(M, C) SPAN_A(M, C, 0) SPAN_A(M, C, 1)
#define SPAN_C(M) SPAN_Q(M, 0) SPAN_Q(M, 1)
    switch (copy_only ? -1 : key) {
      SPAN_C(0)
      SPAN_C(1)
      SPAN_C(2)
      SPAN_C(3)
      default:
        break;
    }
#undef SPAN_C
#undef SPAN_Q
#undef SPAN_A
#undef SPAN_P
#undef SPAN
    if (!bits) continue;
    uint32_t *words = bits + p * a->wpp;
    for (int32_t c0 = 0; c0 < c; c0 += 32) {
      const int32_t count = c - c0 < 32 ? c - c0 : 32;
      uint32_t word = 0;
      if (t)
        for (int32_t k = 0; k < count; k++) word |= (uint32_t)((double)d[c0 + k] * sgn[c0 + k] >= t[c0 + k]) << k;
      else
        for (int32_t k = 0; k < count; k++) word |= (uint32_t)(d[c0 + k] >= 0) << k;
      words[c0 >> 5] = word;
    }
  }
}

/* Math.max of two floats: NaN wins; equal values keep the AND of their bits (+0 over −0). */
GLUE_INLINE float js_maxf(float a, float e) {
  float m = e > a ? e : a;
  if (e == a) {
    uint32_t ea, eb;
    memcpy(&ea, &e, 4);
    memcpy(&eb, &a, 4);
    ea &= eb;
    memcpy(&m, &ea, 4);
  }
  if (e != e) m = e;
  if (a != a) m = a;
  return m;
}

typedef int32_t v8i __attribute__((vector_size(32)));

/* js_maxf on 8 lanes, as masks: the same choice in every lane, no branches. */
GLUE_INLINE v8f js_max8(v8f a, v8f e) {
  const v8i ai = (v8i)a, ei = (v8i)e;
  const v8i gt = e > a, eq = e == a, e_nan = e != e, a_nan = a != a;
  v8i m = (gt & ei) | (~gt & ai);
  m = (eq & (ei & ai)) | (~eq & m);
  m = (e_nan & ei) | (~e_nan & m);
  m = (a_nan & ai) | (~a_nan & m);
  return (v8f)m;
}

GLUE_CLONES
void fmax_pool_rows(const fpool_t *p, const float *x, float *out) {
  const int32_t d = p->depth;
  const int64_t out_hw = (int64_t)p->out_h * p->out_w;
  for (int64_t r = p->row_start; r < p->row_end; r++) {
    const int64_t b = r / out_hw, rem = r - b * out_hw;
    const int32_t oy = (int32_t)(rem / p->out_w), ox = (int32_t)(rem - (int64_t)oy * p->out_w);
    const int32_t ys = oy * p->stride_h - p->pad_top, xs = ox * p->stride_w - p->pad_left;
    const int32_t y0 = ys > 0 ? ys : 0, x0 = xs > 0 ? xs : 0;
    const int32_t y1 = ys + p->pool_h < p->height ? ys + p->pool_h : p->height;
    const int32_t x1 = xs + p->pool_w < p->width ? xs + p->pool_w : p->width;
    const float *img = x + b * p->height * p->width * (int64_t)d;
    float *o = out + r * d;
    for (int32_t i = 0; i < d; i++) o[i] = -INFINITY;
    for (int32_t y = y0; y < y1; y++)
      for (int32_t xx = x0; xx < x1; xx++) {
        const float *v = img + ((int64_t)y * p->width + xx) * d;
        int32_t i = 0;
        for (; i + 8 <= d; i += 8) {
          v8f a, e;
          memcpy(&a, o + i, sizeof a);
          memcpy(&e, v + i, sizeof e);
          a = js_max8(a, e);
          memcpy(o + i, &a, sizeof a);
        }
        for (; i < d; i++) o[i] = js_maxf(o[i], v[i]);
      }
  }
}
