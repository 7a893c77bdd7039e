/* The float glue kernels of glue.h: plain C (the compiler vectorizes the channel loops), float64
 * arithmetic in the TypeScript steps' order so the results are bit-identical to them. */
#include <math.h>
#include <string.h>

#include "glue.h"

/* Each kernel is built for AVX-512, AVX2 and the baseline, picked at load by the CPU (the channel
 * loops vectorize over float64 lanes; the arithmetic, and so the result, is the same in all three). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GLUE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GLUE_CLONES
#endif
#define GLUE_INLINE static inline __attribute__((always_inline))

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

GLUE_CLONES
void fconv_rows(const fconv_t *g, const float *x, const float *wt, const float *bias, double pad_value, float *out,
                double *acc) {
  const int32_t n = g->n, groups = g->groups, cin = g->channels / g->groups;
  const int32_t per = g->n / g->groups;
  if (per == 8) return conv_rows_fixed(g, x, wt, bias, pad_value, out, 8);
  if (per == 16) return conv_rows_fixed(g, x, wt, bias, pad_value, out, 16);
  if (per == 4) return conv_rows_fixed(g, x, wt, bias, pad_value, out, 4);
  for (int64_t r = g->row_start; r < g->row_end; r++) {
    const window_at_t at = window_at(g, x, r);
    for (int32_t o = 0; o < n; o++) acc[o] = 0;
    const float *w = wt;
    for (int32_t i = 0; i < g->kernel_h; i++)
      for (int32_t j = 0; j < g->kernel_w; j++, w += (size_t)cin * n) {
        const float *px = tap_pixel(g, at, i, j);
        if (per == 1 && cin == 1) {
          /* Depthwise: output o reads input channel o. */
          if (px)
            for (int32_t o = 0; o < n; o++) acc[o] += (double)px[o] * (double)w[o];
          else
            for (int32_t o = 0; o < n; o++) acc[o] += pad_value * (double)w[o];
          continue;
        }
        /* Output o of group q reads input channel q·cin + ci: a broadcast per group. */
        for (int32_t q = 0; q < groups; q++)
          for (int32_t ci = 0; ci < cin; ci++) {
            const double v = px ? px[q * cin + ci] : pad_value;
            const float *restrict wr = w + (size_t)ci * n + (size_t)q * per;
            double *restrict a = acc + (size_t)q * per;
            for (int32_t o = 0; o < per; o++) a[o] += v * (double)wr[o];
          }
      }
    store_row(out + r * n, acc, bias, n);
  }
}

/* One position's channels through the chain, each flag a constant where it is inlined, so every
 * variant is a straight loop the compiler vectorizes. Clamps are Math.min(Math.max(y, lo), hi) for
 * bounds that are not NaN and an upper bound that is not −0 (the runtime keeps those in TypeScript):
 * a NaN y stays NaN, and with lo = +0 a −0 becomes +0 (y + 0.0), as Math.max prefers +0. */
GLUE_INLINE void affine_span(const float *restrict s, const float *restrict q, float *restrict d, int32_t c,
                             int mode, int clamp, int has_q, int after, double lo, double hi, double lo2, double hi2,
                             const double *mean, const double *root, const double *gamma, const double *beta) {
  for (int32_t ch = 0; ch < c; ch++) {
    double y = s[ch];
    if (clamp) {
      y = y < lo ? lo : y;
      if (clamp == 2) y = y + 0.0;
      y = y > hi ? hi : y;
    }
    if (mode == 1) y = (float)(y * gamma[ch] + beta[ch]);
    else if (mode == 2) y = (float)(((y - mean[ch]) / root[ch]) * gamma[ch] + beta[ch]);
    else if (mode == 3) y = (float)(y * gamma[ch]);
    if (has_q) y = (float)(y + (double)q[ch]);
    if (after) {
      y = y < lo2 ? lo2 : y;
      if (after == 2) y = y + 0.0;
      y = y > hi2 ? hi2 : y;
    }
    d[ch] = (float)y;
  }
}

GLUE_CLONES
void faffine_rows(const faffine_t *a, const float *src, const float *other, float *dst, const double *mean,
                  const double *root, const double *gamma, const double *beta, uint32_t *bits, const double *t,
                  const double *sgn) {
  const int32_t c = a->channels;
  const double lo = a->lo, hi = a->hi, lo2 = a->lo2, hi2 = a->hi2;
  const int clamp = a->clamp ? (lo == 0 && !signbit(lo) ? 2 : 1) : 0;
  const int after = a->clamp_after ? (lo2 == 0 && !signbit(lo2) ? 2 : 1) : 0;
  const int key = ((a->mode * 3 + clamp) * 2 + (other != NULL)) * 3 + after;
  for (int64_t p = 0; p < a->positions; p++) {
    const float *s = src + p * c;
    const float *q = other ? other + p * c : NULL;
    float *d = dst + p * c;
#define SPAN(M, C, Q, A) \
  case ((M * 3 + C) * 2 + Q) * 3 + A: \
    affine_span(s, q, d, c, M, C, Q, A, lo, hi, lo2, hi2, mean, root, gamma, beta); \
    break;
#define SPAN_A(M, C, Q) SPAN(M, C, Q, 0) SPAN(M, C, Q, 1) SPAN(M, C, Q, 2)
#define SPAN_Q(M, C) SPAN_A(M, C, 0) SPAN_A(M, C, 1)
#define SPAN_C(M) SPAN_Q(M, 0) SPAN_Q(M, 1) SPAN_Q(M, 2)
    switch (key) {
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
        for (int32_t i = 0; i < d; i++) {
          const float a = o[i], e = v[i];
          /* Math.max: NaN wins; equal values (±0) keep +0 (bitwise AND of the two). */
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
          o[i] = m;
        }
      }
  }
}
