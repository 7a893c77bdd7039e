/* Float kernels of the training passes around the GEMMs (train.c): im2col/col2im, max-pool, the
 * sign quantizer and BatchNorm, each bit-identical to its TypeScript/WebAssembly reference. */
#ifndef ONEBIT_TRAIN_H
#define ONEBIT_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

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
/* 'valid' max-pool of output pixels [r0, r1) (flat over batch·outH·outW), with the flat input index
 * of each maximum (first on ties; NaN wins). */
void max_pool_f32(const window_t *w, const float *input, int64_t r0, int64_t r1, float *output, int32_t *argmax);
/* Max-pool's gradient for outputs [o0, o1) whose maxima all lie in input elements [in0, in1):
 * grad_input[in0, in1) is zeroed, then each grad_out[o] added at argmax[o] in output order.
 * Returns −1, or the first o whose argmax lies outside [in0, in1) (grad_input then partly written). */
int64_t max_pool_backward_f32(const float *grad_out, const int32_t *argmax, int64_t o0, int64_t o1, int64_t in0,
                              int64_t in1, float *grad_input);
/* out = ±1 by the sign rule sign(±0) = +1 (on the float bits: NaN with the sign bit set gives −1). */
void signs_f32(const float *x, size_t n, float *out);
/* grad_in = |x| ≤ clip ? grad_out : +0 (the straight-through estimator). */
void ste_backward_f32(const float *x, const float *grad_out, size_t n, float clip, float *grad_in);
/* acc[j] = Σ a[r][j], acc2[j] = Σ a[r][j]·b[r][j] in float64, rows in order, for channels j in
 * [j0, j1) of c (a channel's sum is the same whichever channels share the call). */
void channel_sums_f64(const float *a, const float *b, int64_t rows, int64_t c, int64_t j0, int64_t j1, double *acc,
                      double *acc2);
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

/* The forward product of a binary convolution in training: y = conv(x, W) for ±1 float NHWC inputs x
 * and ±1 weights, through the XNOR-popcount kernels of an ISA (kernels.h): exact integer dots, written
 * as floats. Square strides; out-of-image taps read +1 (the padding of binary layers). */
typedef struct {
  window_t w;          /* kernel_h × kernel_w convolution, stride_h == stride_w */
  int32_t out_c;       /* output channels */
  int32_t row_words;   /* 32-bit words per packed weight row (even, ≥ kernel taps · ⌈C/32⌉) */
  const uint8_t *bits; /* the input's signs packed per pixel, ⌈C/32⌉ words each (pack_signs) */
  const uint8_t *panels; /* the weights prepacked in 4-column panels (@onebit/bitops' layout) */
  const float *ones, *zeros; /* out_c of each: the scale-bias epilogue writes float(dot) exactly */
  float *out;          /* [batch·outH·outW, out_c] */
} xnor_conv_t;
/* Rows of scratch one xnor_conv_rows_f32 call gathers at a time (row_words words each). */
#define XNOR_SCRATCH_ROWS 256
/* Output pixels [r0, r1) of the XNOR convolution on the kernels of `isa`, through `scratch`
 * (XNOR_SCRATCH_ROWS · row_words words). */
void xnor_conv_rows_f32(const xnor_conv_t *c, const isa_kernels_t *isa, int64_t r0, int64_t r1, uint8_t *scratch);

#endif
