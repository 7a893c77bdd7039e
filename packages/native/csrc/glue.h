/* Float glue of graph models at inference (@onebit/runtime's float steps): convolutions (grouped,
 * strided, dilated; dense layers as 1×1 convolutions), the fused per-channel affine chain with its
 * sign, and float max-pool. Each is bit-identical to the runtime's TypeScript step it replaces: sums
 * run in float64 in the same order and round to float32 where the TypeScript stores, so a model gives
 * the same values on every backend and any mix of threads. */
#ifndef ONEBIT_GLUE_H
#define ONEBIT_GLUE_H

#include <stddef.h>
#include <stdint.h>

/* An NHWC float convolution over output pixels [row_start, row_end) of batch·out_h·out_w. */
typedef struct {
  int32_t height, width, channels, n, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top,
      pad_left, out_h, out_w, groups, row_start, row_end;
} fconv_t;
#define FCONV_FIELDS 17

/* out[r][o] = float(Σ_{ky,kx,ci ascending} x·w + bias[o]) in float64, padded taps read pad_value.
 * wt holds the weights transposed to [ky][kx][ci][o] (o fastest); bias may be NULL; acc holds n
 * doubles. */
void fconv_rows(const fconv_t *g, const float *x, const float *wt, const float *bias, double pad_value, float *out,
                double *acc);

/* The fused chain clamp? → (x·γ + β | ((x − μ)/root)·γ + β | x·γ)? → + other? → clamp? over `positions`
 * positions of `channels` floats, each step in float64 rounded to float32 as the unfused steps store
 * it; with `bits`, the sign of each stored value (bit = v·sgn ≥ t, or v ≥ 0 when t is NULL) into
 * `wpp` words per position. */
typedef struct {
  int32_t channels, mode; /* mode: 0 none, 1 x·γ + β, 2 batchNorm, 3 x·γ; + 4: a trailing PReLU */
  int32_t clamp, clamp_after; /* bounds applied when set */
  double lo, hi, lo2, hi2;
  int64_t positions;
  int32_t wpp;
} faffine_t;

void faffine_rows(const faffine_t *a, const float *src, const float *other, float *dst, const double *mean,
                  const double *root, const double *gamma, const double *beta, uint32_t *bits, const double *t,
                  const double *sgn);

/* Max-pool output pixels [row_start, row_end) of NHWC floats (window clipped to the image, max as
 * JavaScript's Math.max from −∞: NaN wins, +0 over −0). */
typedef struct {
  int32_t height, width, depth, pool_h, pool_w, stride_h, stride_w, pad_top, pad_left, out_h, out_w, row_start,
      row_end;
} fpool_t;
#define FPOOL_FIELDS 13

void fmax_pool_rows(const fpool_t *p, const float *x, float *out);

#endif
