/* Standalone check of the float glue (csrc/glue.c) against plain references written here, on random
 * geometries and chains with NaN, ±0 and ±∞ among the values. Built once per ISA with the clones off
 * (-DGLUE_ONE_ISA: the baseline and AVX2 builds that an AVX-512 CPU never dispatches to; see
 * test/glue-agree.test.ts) and for aarch64 under qemu (scripts/check-neon.mjs). Values must agree bit
 * for bit (any NaN matches any NaN). Exits 1 on a mismatch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../csrc/glue.h"

static uint32_t state = 0x2545f491u;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}
static int below(int n) { return (int)(next() % (uint32_t)n); }
static double unit(void) { return (double)(next() >> 8) / (1 << 24) * 2 - 1; }
static float value(int specials) {
  static const float special[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY};
  return specials && below(10) == 0 ? special[below(5)] : (float)(unit() * 4);
}
static float *values(size_t n, int specials) {
  float *p = malloc(n * sizeof(float) + 4);
  for (size_t i = 0; i < n; i++) p[i] = value(specials);
  return p;
}

static int same(float a, float b) { return (a != a && b != b) || memcmp(&a, &b, sizeof a) == 0; }
static int cases = 0, failures = 0;
static void expect_same(const char *what, const float *got, const float *want, size_t n) {
  cases++;
  for (size_t i = 0; i < n; i++)
    if (!same(got[i], want[i])) {
      if (failures++ < 5) printf("%s: element %zu is %.9g, the reference %.9g\n", what, i, got[i], want[i]);
      return;
    }
}

/* out = float(Σ over (ky, kx, ci) ascending of x·w in float64, + bias), padded taps read pad. */
static void conv_reference(const fconv_t *g, const float *x, const float *wt, const float *bias, double pad,
                           float *out) {
  const int32_t cin = g->channels / g->groups, per = g->n / g->groups, hw = g->out_h * g->out_w;
  for (int32_t r = g->row_start; r < g->row_end; r++) {
    const int32_t b = r / hw, oy = r % hw / g->out_w, ox = r % g->out_w;
    for (int32_t o = 0; o < g->n; o++) {
      double sum = 0;
      for (int32_t i = 0; i < g->kernel_h; i++)
        for (int32_t j = 0; j < g->kernel_w; j++)
          for (int32_t ci = 0; ci < cin; ci++) {
            const int32_t y = oy * g->stride_h - g->pad_top + i * g->dilation_h;
            const int32_t xx = ox * g->stride_w - g->pad_left + j * g->dilation_w;
            const int inside = y >= 0 && y < g->height && xx >= 0 && xx < g->width;
            const double v =
                inside ? x[(((size_t)b * g->height + y) * g->width + xx) * g->channels + o / per * cin + ci] : pad;
            sum += v * wt[((size_t)(i * g->kernel_w + j) * cin + ci) * g->n + o];
          }
      out[(size_t)r * g->n + o] = (float)(bias ? sum + bias[o] : sum);
    }
  }
}

static void check_conv(void) {
  const int32_t per_choices[] = {1, 3, 8, 9, 16, 24, 32, 40, 64, 72, 130};
  const int32_t cin_choices[] = {1, 2, 3, 5, 8};
  int fails_before = failures;
  for (int t = 0; t < 400; t++) {
    const int32_t groups = 1 + below(4), cin = cin_choices[below(5)], per = per_choices[below(11)];
    const int32_t kh = 1 + below(4), kw = 1 + below(4), sh = 1 + below(3), sw = 1 + below(3), dh = 1 + below(2),
                  dw = 1 + below(2), batch = 1 + below(2);
    const int32_t h = (kh - 1) * dh + 1 + below(10), w = (kw - 1) * dw + 1 + below(10), pt = below(3), pl = below(3);
    const int32_t oh = (h + 2 * pt - (kh - 1) * dh - 1) / sh + 1, ow = (w + 2 * pl - (kw - 1) * dw - 1) / sw + 1;
    const int32_t rows = batch * oh * ow, r0 = below(rows), r1 = r0 + 1 + below(rows - r0);
    fconv_t g = {h, w, groups * cin, groups * per, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, groups, r0, r1};
    float *x = values((size_t)batch * h * w * g.channels, t % 4 == 0);
    float *wt = values((size_t)kh * kw * cin * g.n, 0), *bias = below(2) ? values(g.n, 0) : NULL;
    const double pad = below(2) ? 0.0 : unit();
    const size_t n = (size_t)rows * g.n;
    float *got = calloc(n + 1, sizeof(float)), *want = calloc(n + 1, sizeof(float));
    double *acc = malloc((size_t)g.n * sizeof(double) + 8);
    fconv_rows(&g, x, wt, bias, pad, got, acc);
    conv_reference(&g, x, wt, bias, pad, want);
    expect_same("convolution", got, want, n);
    free(x), free(wt), free(bias), free(got), free(want), free(acc);
  }
  printf("convolutions: %s\n", failures == fails_before ? "agree" : "DIFFER");
}

/* JavaScript's Math.max / Math.min: NaN if either is NaN; +0 over −0 (max), −0 over +0 (min). */
static double js_max(double a, double b) {
  if (a != a || b != b) return NAN;
  if (a == 0 && b == 0) return signbit(a) && signbit(b) ? -0.0 : 0.0;
  return a > b ? a : b;
}
static double js_min(double a, double b) {
  if (a != a || b != b) return NAN;
  if (a == 0 && b == 0) return signbit(a) || signbit(b) ? -0.0 : 0.0;
  return a < b ? a : b;
}

/* The chain step by step, as the runtime's TypeScript steps compute it. */
static void affine_reference(const faffine_t *a, const float *src, const float *other, float *dst,
                             const double *mean, const double *root, const double *gamma, const double *beta,
                             uint32_t *bits, const double *t, const double *sgn) {
  const int32_t c = a->channels, mode = a->mode & 3, prelu = a->mode >> 2;
  for (int64_t p = 0; p < a->positions; p++)
    for (int32_t ch = 0; ch < c; ch++) {
      const size_t i = (size_t)p * c + ch;
      double y = src[i];
      if (a->clamp) y = js_min(js_max(y, a->lo), a->hi);
      if (mode == 1) y = (float)(y * gamma[ch] + beta[ch]);
      if (mode == 2) y = (float)((y - mean[ch]) / root[ch] * gamma[ch] + beta[ch]);
      if (mode == 3) y = (float)(y * gamma[ch]);
      if (other) y = (float)(y + other[i]);
      if (a->clamp_after) y = js_min(js_max(y, a->lo2), a->hi2);
      if (prelu && !(y >= 0)) y = (float)(sgn[c + ch] * y);
      dst[i] = (float)y;
      if (bits) {
        const int bit = t ? dst[i] * sgn[ch] >= t[ch] : dst[i] >= 0;
        bits[(size_t)p * a->wpp + ch / 32] |= (uint32_t)bit << (ch % 32);
      }
    }
}

static double *doubles(size_t n, double lo) {
  double *p = malloc(n * sizeof(double) + 8);
  for (size_t i = 0; i < n; i++) p[i] = lo + fabs(unit()) + (float)unit();
  return p;
}

static void check_affine(void) {
  /* Bounds the runtime hands the glue: not NaN, an upper bound that is not −0. */
  const double lows[] = {0.0, -0.0, -0.5, -1.0, 0.0}, highs[] = {INFINITY, 6.0, 1.5, 2.0, 0.0};
  int fails_before = failures;
  for (int t = 0; t < 3000; t++) {
    const int32_t c = 1 + below(70), k1 = below(5), k2 = below(5), with_bits = below(3);
    faffine_t a = {c, below(8), below(2), below(2), lows[k1], highs[k1], lows[k2], highs[k2], 1 + below(9),
                   (c + 31) / 32};
    const size_t n = (size_t)a.positions * c, words = (size_t)a.positions * a.wpp;
    float *src = values(n, 1), *other = below(2) ? values(n, 1) : NULL;
    double *mean = doubles(c, -1), *root = doubles(c, 0.5), *gamma = doubles(c, -1), *beta = doubles(c, -1);
    double *thresholds = doubles(c, -1), *sgn = doubles(2 * (size_t)c, 0);
    for (int32_t i = 0; i < c; i++) sgn[i] = below(2) ? 1 : -1;
    float *got = malloc(n * sizeof(float) + 4), *want = malloc(n * sizeof(float) + 4);
    uint32_t *got_bits = calloc(words + 1, 4), *want_bits = calloc(words + 1, 4);
    const double *th = with_bits == 2 ? thresholds : NULL;
    faffine_rows(&a, src, other, got, mean, root, gamma, beta, with_bits ? got_bits : NULL, th, sgn);
    affine_reference(&a, src, other, want, mean, root, gamma, beta, with_bits ? want_bits : NULL, th, sgn);
    expect_same("affine chain", got, want, n);
    if (memcmp(got_bits, want_bits, words * 4) != 0 && failures++ < 5) printf("affine chain: sign bits differ\n");
    free(src), free(other), free(mean), free(root), free(gamma), free(beta), free(thresholds), free(sgn);
    free(got), free(want), free(got_bits), free(want_bits);
  }
  printf("affine chains: %s\n", failures == fails_before ? "agree" : "DIFFER");
}

/* Math.max from −∞ over the window's pixels inside the image: NaN wins, +0 over −0. */
static float pool_max(float m, float v) {
  if (m != m) return m;
  if (v != v) return v;
  if (m == v) return signbit(m) && signbit(v) ? m : fabsf(m);
  return v > m ? v : m;
}

static void check_max_pool(void) {
  int fails_before = failures;
  for (int t = 0; t < 400; t++) {
    const int32_t d = 1 + below(40), ph = 1 + below(3), pw = 1 + below(3), sh = 1 + below(3), sw = 1 + below(3);
    const int32_t h = ph + below(9), w = pw + below(9), pt = below(ph), pl = below(pw), batch = 1 + below(2);
    const int32_t oh = (h + pt + below(ph) - ph) / sh + 1, ow = (w + pl + below(pw) - pw) / sw + 1;
    const int32_t rows = batch * oh * ow;
    fpool_t p = {h, w, d, ph, pw, sh, sw, pt, pl, oh, ow, 0, rows};
    float *x = values((size_t)batch * h * w * d, 1);
    const size_t n = (size_t)rows * d;
    float *got = malloc(n * sizeof(float) + 4), *want = malloc(n * sizeof(float) + 4);
    fmax_pool_rows(&p, x, got);
    for (int32_t r = 0; r < rows; r++) {
      const int32_t b = r / (oh * ow), oy = r % (oh * ow) / ow, ox = r % ow;
      for (int32_t ch = 0; ch < d; ch++) {
        float m = -INFINITY;
        for (int32_t y = oy * sh - pt; y < oy * sh - pt + ph; y++)
          for (int32_t xx = ox * sw - pl; xx < ox * sw - pl + pw; xx++)
            if (y >= 0 && y < h && xx >= 0 && xx < w) m = pool_max(m, x[(((size_t)b * h + y) * w + xx) * d + ch]);
        want[(size_t)r * d + ch] = m;
      }
    }
    expect_same("max-pool", got, want, n);
    free(x), free(got), free(want);
  }
  printf("max-pools: %s\n", failures == fails_before ? "agree" : "DIFFER");
}

int main(void) {
  check_conv();
  check_affine();
  check_max_pool();
  printf("%d cases: %s\n", cases, failures ? "the float glue DIFFERS from its references" : "float glue agrees");
  return failures != 0;
}
