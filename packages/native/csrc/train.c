/* Float kernels of the training passes that surround the GEMMs (@onebit/tensor's convolutions and
 * pooling, @onebit/nn's sign quantizer and BatchNorm), on Float32Arrays in place, so Node.js
 * training copies nothing into WebAssembly memory. Each repeats the operations, in the same order
 * and precision, of its reference: tensor's conv2d.ts im2col/col2imAdd and pool.ts maxPool2d, nn's
 * quantizers.ts signForward/steBackward, assembly/batch-norm.ts and assembly/adam.ts; results are bit-identical
 * (built with -ffp-contract=off). Every array is checked against the extent a call touches before
 * anything is written (train-addon.c): a short one throws a RangeError. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sgemm.h"
#include "target.h"
#include "train.h"
#ifdef ONEBIT_X86
#include <immintrin.h>
#endif

/* The image, row and column of output pixel r. */
static void pixel_position(const window_t *w, int64_t r, int64_t *b, int64_t *oy, int64_t *ox) {
  const int64_t per_image = (int64_t)w->out_h * w->out_w;
  *b = r / per_image;
  *oy = (r - *b * per_image) / w->out_w;
  *ox = r - *b * per_image - *oy * w->out_w;
}

void im2col_f32(const window_t *w, const float *input, float pad_value, int32_t r0, int32_t r1, float *cols) {
  const int64_t c = w->channels, span = (int64_t)w->kernel_w * c, row_len = (int64_t)w->kernel_h * span;
  for (int64_t r = r0; r < r1; r++) {
    int64_t b, oy, ox;
    pixel_position(w, r, &b, &oy, &ox);
    float *dst = cols + (r - r0) * row_len;
    const int64_t x0 = ox * w->stride_w - w->pad_left;
    for (int32_t ky = 0; ky < w->kernel_h; ky++, dst += span) {
      const int64_t y = oy * w->stride_h + ky - w->pad_top;
      if (y < 0 || y >= w->in_h) {
        for (int64_t t = 0; t < span; t++) dst[t] = pad_value;
        continue;
      }
      const float *row = input + (b * w->in_h + y) * w->in_w * c;
      if (x0 >= 0 && x0 + w->kernel_w <= w->in_w) {
        memcpy(dst, row + x0 * c, sizeof(float) * (size_t)span);
        continue;
      }
      for (int32_t kx = 0; kx < w->kernel_w; kx++) {
        const int64_t x = x0 + kx;
        if (x >= 0 && x < w->in_w) memcpy(dst + kx * c, row + x * c, sizeof(float) * (size_t)c);
        else
          for (int64_t i = 0; i < c; i++) dst[kx * c + i] = pad_value;
      }
    }
  }
}

void col2im_add_f32(const window_t *w, const float *grad_cols, int32_t r0, int32_t r1, float *grad_input) {
  const int64_t c = w->channels, span = (int64_t)w->kernel_w * c, row_len = (int64_t)w->kernel_h * span;
  for (int64_t r = r0; r < r1; r++) {
    int64_t b, oy, ox;
    pixel_position(w, r, &b, &oy, &ox);
    const float *src = grad_cols + (r - r0) * row_len;
    const int64_t x0 = ox * w->stride_w - w->pad_left;
    for (int32_t ky = 0; ky < w->kernel_h; ky++, src += span) {
      const int64_t y = oy * w->stride_h + ky - w->pad_top;
      if (y < 0 || y >= w->in_h) continue;
      float *row = grad_input + (b * w->in_h + y) * w->in_w * c;
      for (int32_t kx = 0; kx < w->kernel_w; kx++) {
        const int64_t x = x0 + kx;
        if (x < 0 || x >= w->in_w) continue;
        float *dst = row + x * c;
        const float *s = src + kx * c;
        for (int64_t i = 0; i < c; i++) dst[i] += s[i];
      }
    }
  }
}

void max_pool_f32(const window_t *w, const float *input, int64_t r0, int64_t r1, float *output, int32_t *argmax) {
  const int64_t c = w->channels;
  for (int64_t r = r0; r < r1; r++) {
    int64_t b, oy, ox;
    pixel_position(w, r, &b, &oy, &ox);
    const int64_t base = ((b * w->in_h + oy * w->stride_h) * w->in_w + ox * w->stride_w) * c;
    float *best = output + r * c;
    int32_t *at = argmax + r * c;
    for (int64_t ch = 0; ch < c; ch++) {
      best[ch] = input[base + ch];
      at[ch] = (int32_t)(base + ch);
    }
    /* The window in the reference's order, all channels at once (branch-free selects the
     * compiler vectorizes): a larger value, or a NaN over a number, takes the place; ties keep
     * the first. */
    for (int32_t ky = 0; ky < w->kernel_h; ky++)
      for (int32_t kx = ky == 0 ? 1 : 0; kx < w->kernel_w; kx++) {
        const int64_t at0 = base + ((int64_t)ky * w->in_w + kx) * c;
        const float *v = input + at0;
        for (int64_t ch = 0; ch < c; ch++) {
          const float x = v[ch], m = best[ch];
          const int take = (x > m) | ((x != x) & (m == m));
          best[ch] = take ? x : m;
          at[ch] = take ? (int32_t)(at0 + ch) : at[ch];
        }
      }
  }
}

int64_t max_pool_backward_f32(const float *grad_out, const int32_t *argmax, int64_t o0, int64_t o1, int64_t in0,
                              int64_t in1, float *grad_input) {
  memset(grad_input + in0, 0, sizeof(float) * (size_t)(in1 - in0));
  for (int64_t o = o0; o < o1; o++) {
    const int64_t at = argmax[o];
    if (at < in0 || at >= in1) return o;
    grad_input[at] += grad_out[o];
  }
  return -1;
}

void signs_f32(const float *x, size_t n, float *out) {
  const uint32_t *xi = (const uint32_t *)x;
  uint32_t *oi = (uint32_t *)out;
  for (size_t i = 0; i < n; i++) {
    const uint32_t u = xi[i];
    /* Negative: the sign bit set on a nonzero magnitude (−0 gives +1, as sign(0) = +1). */
    const uint32_t negative = (u >> 31) & (((u & 0x7fffffffu) + 0x7fffffffu) >> 31);
    oi[i] = 0x3f800000u | (negative << 31);
  }
}

void ste_backward_f32(const float *x, const float *grad_out, size_t n, float clip, float *grad_in) {
  uint32_t c;
  memcpy(&c, &clip, 4);
  const uint32_t *xi = (const uint32_t *)x;
  const uint32_t *gi = (const uint32_t *)grad_out;
  uint32_t *oi = (uint32_t *)grad_in;
  for (size_t i = 0; i < n; i++) {
    /* |x| ≤ clip on the magnitude bits (NaN magnitudes exceed every finite clip). */
    const uint32_t inside = (xi[i] & 0x7fffffffu) <= c;
    oi[i] = gi[i] & (0u - inside);
  }
}

void channel_sums_f64(const float *a, const float *b, int64_t rows, int64_t c, int64_t j0, int64_t j1, double *acc,
                      double *acc2) {
  for (int64_t j = j0; j < j1; j++) acc[j] = acc2[j] = 0;
  for (int64_t r = 0; r < rows; r++) {
    const float *ra = a + r * c, *rb = b + r * c;
    for (int64_t j = j0; j < j1; j++) {
      const double va = ra[j], vb = rb[j];
      acc[j] = acc[j] + va;
      acc2[j] = acc2[j] + va * vb;
    }
  }
}

void bn_normalize_f32(const float *x, int64_t rows, int64_t c, const double *mean, const float *inv_std,
                      const float *gamma, const float *beta, float *xhat, float *y) {
  for (int64_t r = 0; r < rows; r++) {
    const int64_t o = r * c;
    for (int64_t j = 0; j < c; j++) {
      const double h = ((double)x[o + j] - mean[j]) * (double)inv_std[j];
      xhat[o + j] = (float)h;
      y[o + j] = (float)((double)gamma[j] * h + (double)beta[j]);
    }
  }
}

void bn_backward_f32(const float *g, const float *xhat, int64_t rows, int64_t c, const float *gamma,
                     const float *inv_std, const double *mean_g, const double *mean_gh, float *gx) {
  for (int64_t r = 0; r < rows; r++) {
    const int64_t o = r * c;
    for (int64_t j = 0; j < c; j++) {
      const double scale = (double)gamma[j] * (double)inv_std[j];
      const double inner = (double)g[o + j] - mean_g[j] - (double)xhat[o + j] * mean_gh[j];
      gx[o + j] = (float)(scale * inner);
    }
  }
}


/* WebAssembly's f32.max/f32.min: NaN if either is NaN, else the larger/smaller, +0 over −0 for max
 * and −0 over +0 for min (equal values: AND/OR of the bits picks that zero and changes no other). */
static float wasm_max(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a > b) return a;
  if (b > a) return b;
  uint32_t x, y;
  memcpy(&x, &a, 4);
  memcpy(&y, &b, 4);
  x &= y;
  memcpy(&a, &x, 4);
  return a;
}
static float wasm_min(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a < b) return a;
  if (b < a) return b;
  uint32_t x, y;
  memcpy(&x, &a, 4);
  memcpy(&y, &b, 4);
  x |= y;
  memcpy(&a, &x, 4);
  return a;
}

static void adam_scalar(float *w, const float *g, float *m, float *v, size_t n, const adam_t *c) {
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = c->beta1 * m[i] + c->one_minus_beta1 * gi;
    const float vi = c->beta2 * v[i] + c->one_minus_beta2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const float wi = w[i] - (c->lr * mi) / (sqrtf(vi) + c->eps_hat);
    w[i] = wasm_min(c->hi, wasm_max(c->lo, wi));
  }
}

#ifdef ONEBIT_X86
/* wasm_max/wasm_min on 16 lanes: the larger/smaller, the AND/OR of the bits of equal values, a + b
 * where either is NaN. */
TARGET_AVX512F static inline __m512 wasm_max16(__m512 a, __m512 b) {
  __m512 r = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(b, a, _CMP_GT_OQ), r, b);
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), r, a);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), r, _mm512_add_ps(a, b));
}
TARGET_AVX512F static inline __m512 wasm_min16(__m512 a, __m512 b) {
  __m512 r = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(b, a, _CMP_LT_OQ), r, b);
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), r, a);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), r, _mm512_add_ps(a, b));
}

/* 16 weights at a time, the scalar loop's operations in its order (separate multiplies and adds,
 * correctly rounded square root and division): the same bits. */
TARGET_AVX512F static size_t adam_avx512(float *w, const float *g, float *m, float *v, size_t n, const adam_t *c) {
  const __m512 b1 = _mm512_set1_ps(c->beta1), nb1 = _mm512_set1_ps(c->one_minus_beta1);
  const __m512 b2 = _mm512_set1_ps(c->beta2), nb2 = _mm512_set1_ps(c->one_minus_beta2);
  const __m512 lr = _mm512_set1_ps(c->lr), eps = _mm512_set1_ps(c->eps_hat);
  const __m512 lo = _mm512_set1_ps(c->lo), hi = _mm512_set1_ps(c->hi);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 gi = _mm512_loadu_ps(g + i);
    const __m512 mi = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(nb1, gi));
    const __m512 vi =
        _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(v + i)), _mm512_mul_ps(_mm512_mul_ps(nb2, gi), gi));
    _mm512_storeu_ps(m + i, mi);
    _mm512_storeu_ps(v + i, vi);
    const __m512 step = _mm512_div_ps(_mm512_mul_ps(lr, mi), _mm512_add_ps(_mm512_sqrt_ps(vi), eps));
    const __m512 wi = _mm512_sub_ps(_mm512_loadu_ps(w + i), step);
    _mm512_storeu_ps(w + i, wasm_min16(hi, wasm_max16(lo, wi)));
  }
  return i;
}
#endif

void adam_f32(float *w, const float *g, float *m, float *v, size_t n, const adam_t *c) {
  size_t done = 0;
#ifdef ONEBIT_X86
  if (sgemm_supported_mask() & (1u << ISA_AVX512)) done = adam_avx512(w, g, m, v, n, c);
#endif
  adam_scalar(w + done, g + done, m + done, v + done, n - done, c);
}

void xnor_conv_rows_f32(const xnor_conv_t *c, const isa_kernels_t *isa, int64_t r0, int64_t r1, uint8_t *scratch) {
  const window_t *w = &c->w;
  const int32_t wpp = (w->channels + 31) / 32;
  const uint32_t last_mask = w->channels % 32 ? (1u << (w->channels % 32)) - 1 : 0xffffffffu;
  const size_t stride = (size_t)c->row_words * 4, out_stride = (size_t)c->out_c * 4;
  output_t o = {MODE_SCALE_BIAS, w->kernel_h * w->kernel_w * w->channels, c->out_c, NULL, out_stride,
                (const uint8_t *)c->ones, (const uint8_t *)c->zeros, 0, c->out_c};
  for (int64_t s = r0; s < r1; s += XNOR_SCRATCH_ROWS) {
    const int64_t e = r1 - s < XNOR_SCRATCH_ROWS ? r1 : s + XNOR_SCRATCH_ROWS;
    im2col((int32_t)s, (int32_t)e, c->bits, w->in_h, w->in_w, wpp, w->kernel_h, w->kernel_w, w->stride_h, w->pad_top,
           w->pad_left, w->out_h, w->out_w, last_mask, scratch, stride);
    o.out = (uint8_t *)(c->out + s * c->out_c);
    isa->gemm(&o, scratch, stride, c->panels, c->row_words / 2, 0, (int32_t)(e - s));
  }
}
