/* Float kernels of the training passes around the GEMMs (train.c): im2col/col2im, max-pool, the
 * sign quantizer and BatchNorm, each bit-identical to its TypeScript/WebAssembly reference. */
#ifndef ONEBIT_TRAIN_H
#define ONEBIT_TRAIN_H

#include <stddef.h>
#include <stdint.h>

/* An NHWC window operation: a convolution (kernel = filter taps) or a pooling (kernel = window). */
typedef struct {
  int32_t batch, in_h, in_w, channels, kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left, out_h, out_w;
} window_t;
#define WINDOW_FIELDS 12

/* Rows [r0, r1) of output pixels (flat over batch·outH·outW) as im2col rows, kernelH·kernelW·C long
 * in HWC order; padded positions read pad_value. */
void im2col_f32(const window_t *w, const float *input, float pad_value, int32_t r0, int32_t r1, float *cols);
/* Scatter-adds im2col rows [r0, r1) back onto the input positions they came from (pads dropped). */
void col2im_add_f32(const window_t *w, const float *grad_cols, int32_t r0, int32_t r1, float *grad_input);
/* 'valid' max-pool with the flat input index of each maximum (first on ties; NaN wins). */
void max_pool_f32(const window_t *w, const float *input, float *output, int32_t *argmax);
/* out = ±1 by the sign rule sign(±0) = +1 (on the float bits: NaN with the sign bit set gives −1). */
void signs_f32(const float *x, size_t n, float *out);
/* grad_in = |x| ≤ clip ? grad_out : +0 (the straight-through estimator). */
void ste_backward_f32(const float *x, const float *grad_out, size_t n, float clip, float *grad_in);
/* acc[j] = Σ a[r][j], acc2[j] = Σ a[r][j]·b[r][j] in float64, rows in order. */
void channel_sums_f64(const float *a, const float *b, int64_t rows, int64_t c, double *acc, double *acc2);
/* x̂ = (x − mean)·invStd (float64), y = γ·x̂ + β. */
void bn_normalize_f32(const float *x, int64_t rows, int64_t c, const double *mean, const float *inv_std,
                      const float *gamma, const float *beta, float *xhat, float *y);
/* gx = γ·invStd·(g − meanG − x̂·meanGH) in float64. */
void bn_backward_f32(const float *g, const float *xhat, int64_t rows, int64_t c, const float *gamma,
                     const float *inv_std, const double *mean_g, const double *mean_gh, float *gx);


/* Adam's per-step constants, already rounded to float32 (nn's optimizers/slot-memory.ts). */
typedef struct {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, lr, eps_hat, lo, hi;
} adam_t;
/* m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← clamp(w − lr·m/(√v + ε̂), lo, hi), every operation in
 * float32 in the order of nn's assembly/adam.ts (clamp with WebAssembly's min/max). */
void adam_f32(float *w, const float *g, float *m, float *v, size_t n, const adam_t *c);

#endif
