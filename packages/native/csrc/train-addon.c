/* The Node-API entry points of the training kernels (train.c): argument parsing and bounds checks.
 * Compiled out where node_api.h is not on the include path (the C kernel tests build every csrc
 * file but addon.c without Node's headers). */
#if __has_include(<node_api.h>)
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>

#define NAPI_VERSION 8
#include <node_api.h>

#include "parallel.h"
#include "train.h"

static void throw_range(napi_env env, const char *code, const char *message) {
  napi_throw_range_error(env, code, message);
}

/* Reads argv[i] as a typed array of `type` with at least `need` elements; 0 after throwing. */
static int typed(napi_env env, napi_value value, napi_typedarray_type type, uint64_t need, const char *what,
                 void **data, size_t *length) {
  napi_typedarray_type actual;
  napi_value buffer;
  size_t offset, len = 0;
  void *ptr = NULL;
  char message[200];
  if (napi_get_typedarray_info(env, value, &actual, &len, &ptr, &buffer, &offset) != napi_ok || actual != type) {
    snprintf(message, sizeof message, "onebit native: %s has the wrong type", what);
    throw_range(env, "ERR_ONEBIT_ARGS", message);
    return 0;
  }
  if (len < need) {
    snprintf(message, sizeof message, "onebit native: %s has %llu elements, needs %llu", what,
             (unsigned long long)len, (unsigned long long)need);
    throw_range(env, "ERR_ONEBIT_BOUNDS", message);
    return 0;
  }
  *data = ptr;
  if (length) *length = len;
  return 1;
}

static int int_arg(napi_env env, napi_value value, const char *what, int32_t min, int32_t *out) {
  if (napi_get_value_int32(env, value, out) != napi_ok || *out < min) {
    char message[160];
    snprintf(message, sizeof message, "onebit native: %s must be an int32 ≥ %d", what, min);
    throw_range(env, "ERR_ONEBIT_ARGS", message);
    return 0;
  }
  return 1;
}

static int num_arg(napi_env env, napi_value value, const char *what, double *out) {
  if (napi_get_value_double(env, value, out) != napi_ok) {
    char message[160];
    snprintf(message, sizeof message, "onebit native: %s must be a number", what);
    throw_range(env, "ERR_ONEBIT_ARGS", message);
    return 0;
  }
  return 1;
}

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *usage) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    throw_range(env, "ERR_ONEBIT_ARGS", usage);
    return 0;
  }
  return 1;
}

/* A window geometry (Int32Array): batch, inH, inW, channels, kernelH, kernelW, strideH, strideW,
 * padTop, padLeft, outH, outW; all checked non-negative, sizes positive. */
static int geometry(napi_env env, napi_value value, window_t *w) {
  int32_t *g;
  if (!typed(env, value, napi_int32_array, WINDOW_FIELDS, "geometry", (void **)&g, NULL)) return 0;
  for (int i = 0; i < WINDOW_FIELDS; i++)
    if (g[i] < (i == 0 || i == 8 || i == 9 ? 0 : 1)) {
      throw_range(env, "ERR_ONEBIT_ARGS", "onebit native: malformed window geometry");
      return 0;
    }
  *w = (window_t){g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11]};
  return 1;
}

static uint64_t input_size(const window_t *w) {
  return (uint64_t)w->batch * w->in_h * w->in_w * w->channels;
}
static uint64_t output_pixels(const window_t *w) { return (uint64_t)w->batch * w->out_h * w->out_w; }
static uint64_t row_length(const window_t *w) { return (uint64_t)w->kernel_h * w->kernel_w * w->channels; }

/* Output pixels [r0, r1) checked against the geometry. */
static int pixel_range(napi_env env, const window_t *w, napi_value a, napi_value b, int32_t *r0, int32_t *r1) {
  if (!int_arg(env, a, "r0", 0, r0) || !int_arg(env, b, "r1", 0, r1)) return 0;
  if (*r0 > *r1 || (uint64_t)*r1 > output_pixels(w)) {
    throw_range(env, "ERR_ONEBIT_BOUNDS", "onebit native: output pixel range outside the batch");
    return 0;
  }
  return 1;
}

/* The optional trailing `threads` argument at argv[index] (default 1); 0 after throwing. */
static int threads_arg(napi_env env, napi_callback_info info, size_t index, int32_t *threads) {
  napi_value argv[16];
  size_t argc = index + 1;
  if (argc > 16) return 0;
  napi_valuetype type = napi_undefined;
  *threads = 1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc <= index || napi_typeof(env, argv[index], &type) != napi_ok || type == napi_undefined) return 1;
  return int_arg(env, argv[index], "threads", 1, threads);
}

/* Passes of fewer floats than this stay on the calling thread (a thread start costs about as much
 * as copying 2^16 floats). */
#define THREADED_MIN_FLOATS (1 << 18)
/* im2col/col2im: tensor's native convolution backward runs them on 2^18-float chunks (kept in L2),
 * so they split from a quarter of that. */
#define THREADED_MIN_COLS (1 << 16)

typedef struct {
  const window_t *w;
  const float *input;
  float pad;
  int32_t r0, r1;
  float *cols;
} im2col_ctx_t;

static void im2col_range(void *arg, int64_t a, int64_t b) {
  const im2col_ctx_t *c = arg;
  im2col_f32(c->w, c->input, c->pad, (int32_t)a, (int32_t)b, c->cols + (a - c->r0) * (int64_t)row_length(c->w));
}

/* col2im over whole images per thread: an input position only receives rows of its own image, each
 * in row order, so any split gives the same sums. */
static void col2im_range(void *arg, int64_t a, int64_t b) {
  const im2col_ctx_t *c = arg;
  if (a < c->r0) a = c->r0;
  if (b > a)
    col2im_add_f32(c->w, c->cols + (a - c->r0) * (int64_t)row_length(c->w), (int32_t)a, (int32_t)b,
                   (float *)c->input);
}

/* im2colF32(input, cols, geometry, padValue, r0, r1, threads = 1) */
static napi_value im2col_call(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  window_t w;
  int32_t r0, r1, threads;
  double pad;
  float *input, *cols;
  if (!args(env, info, 6, argv, "onebit native: expected im2colF32(input, cols, geometry, padValue, r0, r1)") ||
      !geometry(env, argv[2], &w) || !num_arg(env, argv[3], "padValue", &pad) ||
      !pixel_range(env, &w, argv[4], argv[5], &r0, &r1) ||
      !typed(env, argv[0], napi_float32_array, input_size(&w), "im2col input", (void **)&input, NULL) ||
      !typed(env, argv[1], napi_float32_array, (uint64_t)(r1 - r0) * row_length(&w), "im2col cols",
             (void **)&cols, NULL) ||
      !threads_arg(env, info, 6, &threads))
    return NULL;
  im2col_ctx_t c = {&w, input, (float)pad, r0, r1, cols};
  if ((uint64_t)(r1 - r0) * row_length(&w) < THREADED_MIN_COLS) threads = 1;
  parallel_ranges(threads, r0, r1, 1, im2col_range, &c);
  return NULL;
}

/* col2imAddF32(gradCols, gradInput, geometry, r0, r1, threads = 1) */
static napi_value col2im_call(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  window_t w;
  int32_t r0, r1, threads;
  float *cols, *grad;
  if (!args(env, info, 5, argv, "onebit native: expected col2imAddF32(gradCols, gradInput, geometry, r0, r1)") ||
      !geometry(env, argv[2], &w) || !pixel_range(env, &w, argv[3], argv[4], &r0, &r1) ||
      !typed(env, argv[0], napi_float32_array, (uint64_t)(r1 - r0) * row_length(&w), "col2im gradCols",
             (void **)&cols, NULL) ||
      !typed(env, argv[1], napi_float32_array, input_size(&w), "col2im gradInput", (void **)&grad, NULL) ||
      !threads_arg(env, info, 5, &threads))
    return NULL;
  im2col_ctx_t c = {&w, grad, 0, r0, r1, cols};
  if ((uint64_t)(r1 - r0) * row_length(&w) < THREADED_MIN_COLS) threads = 1;
  const int64_t image = (int64_t)w.out_h * w.out_w, first = r0 / image * image;
  parallel_ranges(threads, first, r1, image, col2im_range, &c);
  return NULL;
}

typedef struct {
  const window_t *w;
  const float *input;
  float *output;
  int32_t *argmax;
} max_pool_ctx_t;

static void max_pool_range(void *arg, int64_t a, int64_t b) {
  const max_pool_ctx_t *c = arg;
  max_pool_f32(c->w, c->input, a, b, c->output, c->argmax);
}

/* maxPoolF32(input, output, argmax, geometry, threads = 1): pads are ignored ('valid' windows). */
static napi_value max_pool_call(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  window_t w;
  float *input, *output;
  int32_t *argmax, threads;
  if (!args(env, info, 4, argv, "onebit native: expected maxPoolF32(input, output, argmax, geometry)") ||
      !geometry(env, argv[3], &w))
    return NULL;
  if (w.pad_top != 0 || w.pad_left != 0 || (int64_t)(w.out_h - 1) * w.stride_h + w.kernel_h > w.in_h ||
      (int64_t)(w.out_w - 1) * w.stride_w + w.kernel_w > w.in_w) {
    throw_range(env, "ERR_ONEBIT_ARGS", "onebit native: max-pool windows must lie inside the input");
    return NULL;
  }
  const uint64_t out = output_pixels(&w) * (uint64_t)w.channels;
  if (!typed(env, argv[0], napi_float32_array, input_size(&w), "maxPool input", (void **)&input, NULL) ||
      !typed(env, argv[1], napi_float32_array, out, "maxPool output", (void **)&output, NULL) ||
      !typed(env, argv[2], napi_int32_array, out, "maxPool argmax", (void **)&argmax, NULL) ||
      !threads_arg(env, info, 4, &threads))
    return NULL;
  if (input_size(&w) > INT32_MAX) {
    throw_range(env, "ERR_ONEBIT_BOUNDS", "onebit native: max-pool input has more than 2^31 − 1 elements");
    return NULL;
  }
  max_pool_ctx_t c = {&w, input, output, argmax};
  if (input_size(&w) < THREADED_MIN_FLOATS) threads = 1;
  parallel_ranges(threads, 0, (int64_t)output_pixels(&w), 1, max_pool_range, &c);
  return NULL;
}

typedef struct {
  const float *grad_out;
  const int32_t *argmax;
  float *grad_input;
  int64_t out_per_image, in_per_image;
  atomic_llong bad; /* the smallest output index whose argmax lies outside its image, or LLONG_MAX */
} pool_grad_ctx_t;

static void pool_grad_range(void *arg, int64_t a, int64_t b) {
  pool_grad_ctx_t *c = arg;
  int64_t o = -1;
  for (int64_t i = a; i < b && o < 0; i++)
    o = max_pool_backward_f32(c->grad_out, c->argmax, i * c->out_per_image, (i + 1) * c->out_per_image,
                              i * c->in_per_image, (i + 1) * c->in_per_image, c->grad_input);
  long long seen = atomic_load(&c->bad);
  while (o >= 0 && o < seen && !atomic_compare_exchange_weak(&c->bad, &seen, o)) {
  }
}

/* maxPoolBackwardF32(gradOut, argmax, gradInput, images, threads = 1): gradInput = 0, then
 * gradOut[o] added at argmax[o]; the arrays hold `images` equal parts, and the maxima of part b's
 * outputs must lie in part b of gradInput (images split among threads). Returns −1, or the first
 * output index whose argmax lies outside its part. */
static napi_value max_pool_backward_call(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  float *grad_out, *grad_input;
  int32_t *argmax, images, threads;
  size_t outs, ins;
  if (!args(env, info, 4, argv, "onebit native: expected maxPoolBackwardF32(gradOut, argmax, gradInput, images)") ||
      !typed(env, argv[0], napi_float32_array, 0, "maxPoolBackward gradOut", (void **)&grad_out, &outs) ||
      !typed(env, argv[1], napi_int32_array, outs, "maxPoolBackward argmax", (void **)&argmax, NULL) ||
      !typed(env, argv[2], napi_float32_array, 0, "maxPoolBackward gradInput", (void **)&grad_input, &ins) ||
      !int_arg(env, argv[3], "images", 1, &images) || !threads_arg(env, info, 4, &threads))
    return NULL;
  if (outs % (size_t)images != 0 || ins % (size_t)images != 0) {
    throw_range(env, "ERR_ONEBIT_ARGS", "onebit native: maxPoolBackward arrays are not `images` equal parts");
    return NULL;
  }
  pool_grad_ctx_t c = {grad_out, argmax, grad_input, (int64_t)(outs / (size_t)images),
                       (int64_t)(ins / (size_t)images), LLONG_MAX};
  if (ins + 2 * outs < THREADED_MIN_FLOATS) threads = 1;
  parallel_ranges(threads, 0, images, 1, pool_grad_range, &c);
  const long long bad = atomic_load(&c.bad);
  napi_create_double(env, bad == LLONG_MAX ? -1 : (double)bad, &result);
  return result;
}

/* Elementwise passes split into ranges of whole cache lines (16 floats) above the threshold. */
#define LINE_FLOATS 16

typedef struct {
  const float *x, *g;
  float *out;
  float clip;
} pointwise_ctx_t;

static void signs_range(void *arg, int64_t a, int64_t b) {
  const pointwise_ctx_t *c = arg;
  signs_f32(c->x + a, (size_t)(b - a), c->out + a);
}

static void ste_range(void *arg, int64_t a, int64_t b) {
  const pointwise_ctx_t *c = arg;
  ste_backward_f32(c->x + a, c->g + a, (size_t)(b - a), c->clip, c->out + a);
}

/* Threads for a pass touching `floats` floats in all: 1 below the threshold. */
static int32_t pass_threads(int32_t threads, uint64_t floats) { return floats < THREADED_MIN_FLOATS ? 1 : threads; }

/* signsF32(x, out, threads = 1) */
static napi_value signs_call(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  float *x, *out;
  size_t n;
  int32_t threads;
  if (!args(env, info, 2, argv, "onebit native: expected signsF32(x, out)") ||
      !typed(env, argv[0], napi_float32_array, 0, "signs x", (void **)&x, &n) ||
      !typed(env, argv[1], napi_float32_array, n, "signs out", (void **)&out, NULL) ||
      !threads_arg(env, info, 2, &threads))
    return NULL;
  pointwise_ctx_t c = {x, NULL, out, 0};
  parallel_ranges(pass_threads(threads, 2 * (uint64_t)n), 0, (int64_t)n, LINE_FLOATS, signs_range, &c);
  return NULL;
}

/* steBackwardF32(x, gradOut, gradIn, clip, threads = 1) */
static napi_value ste_call(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  float *x, *g, *out;
  size_t n;
  double clip;
  int32_t threads;
  if (!args(env, info, 4, argv, "onebit native: expected steBackwardF32(x, gradOut, gradIn, clip)") ||
      !typed(env, argv[0], napi_float32_array, 0, "steBackward x", (void **)&x, &n) ||
      !typed(env, argv[1], napi_float32_array, n, "steBackward gradOut", (void **)&g, NULL) ||
      !typed(env, argv[2], napi_float32_array, n, "steBackward gradIn", (void **)&out, NULL) ||
      !num_arg(env, argv[3], "clip", &clip) || !threads_arg(env, info, 4, &threads))
    return NULL;
  if (!(clip >= 0)) {
    throw_range(env, "ERR_ONEBIT_ARGS", "onebit native: steBackward clip must be ≥ 0");
    return NULL;
  }
  pointwise_ctx_t c = {x, g, out, (float)clip};
  parallel_ranges(pass_threads(threads, 3 * (uint64_t)n), 0, (int64_t)n, LINE_FLOATS, ste_range, &c);
  return NULL;
}

/* Rows × channels of a BatchNorm call, checked. */
static int rows_channels(napi_env env, napi_value a, napi_value b, int32_t *rows, int32_t *c) {
  return int_arg(env, a, "rows", 0, rows) && int_arg(env, b, "channels", 1, c);
}

/* BatchNorm's passes: sums split by channels (each channel's sum keeps its row order), the
 * normalization and its gradient by rows. */
typedef struct {
  const float *a, *b;
  int64_t rows, c;
  double *acc, *acc2;
  const double *mean, *mean2;
  const float *inv_std, *gamma, *beta;
  float *out1, *out2;
} bn_ctx_t;

static void channel_sums_range(void *arg, int64_t j0, int64_t j1) {
  const bn_ctx_t *k = arg;
  channel_sums_f64(k->a, k->b, k->rows, k->c, j0, j1, k->acc, k->acc2);
}

static void bn_normalize_range(void *arg, int64_t r0, int64_t r1) {
  const bn_ctx_t *k = arg;
  bn_normalize_f32(k->a + r0 * k->c, r1 - r0, k->c, k->mean, k->inv_std, k->gamma, k->beta, k->out1 + r0 * k->c,
                   k->out2 + r0 * k->c);
}

static void bn_backward_range(void *arg, int64_t r0, int64_t r1) {
  const bn_ctx_t *k = arg;
  bn_backward_f32(k->a + r0 * k->c, k->b + r0 * k->c, r1 - r0, k->c, k->gamma, k->inv_std, k->mean, k->mean2,
                  k->out1 + r0 * k->c);
}

/* channelSumsF64(a, b, rows, c, acc, acc2, threads = 1) */
static napi_value channel_sums_call(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int32_t rows, c, threads;
  float *a, *b;
  double *acc, *acc2;
  if (!args(env, info, 6, argv, "onebit native: expected channelSumsF64(a, b, rows, c, acc, acc2)") ||
      !rows_channels(env, argv[2], argv[3], &rows, &c))
    return NULL;
  const uint64_t n = (uint64_t)rows * c;
  if (!typed(env, argv[0], napi_float32_array, n, "channelSums a", (void **)&a, NULL) ||
      !typed(env, argv[1], napi_float32_array, n, "channelSums b", (void **)&b, NULL) ||
      !typed(env, argv[4], napi_float64_array, (uint64_t)c, "channelSums acc", (void **)&acc, NULL) ||
      !typed(env, argv[5], napi_float64_array, (uint64_t)c, "channelSums acc2", (void **)&acc2, NULL) ||
      !threads_arg(env, info, 6, &threads))
    return NULL;
  bn_ctx_t k = {.a = a, .b = b, .rows = rows, .c = c, .acc = acc, .acc2 = acc2};
  /* Channel ranges of whole cache lines of the float rows (16 floats) and of acc (8 doubles). */
  parallel_ranges(pass_threads(threads, 2 * n), 0, c, LINE_FLOATS, channel_sums_range, &k);
  return NULL;
}

/* batchNormF32(x, rows, c, mean, invStd, gamma, beta, xhat, y, threads = 1) */
static napi_value bn_normalize_call(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int32_t rows, c, threads;
  float *x, *inv_std, *gamma, *beta, *xhat, *y;
  double *mean;
  if (!args(env, info, 9, argv,
            "onebit native: expected batchNormF32(x, rows, c, mean, invStd, gamma, beta, xhat, y)") ||
      !rows_channels(env, argv[1], argv[2], &rows, &c))
    return NULL;
  const uint64_t n = (uint64_t)rows * c;
  if (!typed(env, argv[0], napi_float32_array, n, "batchNorm x", (void **)&x, NULL) ||
      !typed(env, argv[3], napi_float64_array, (uint64_t)c, "batchNorm mean", (void **)&mean, NULL) ||
      !typed(env, argv[4], napi_float32_array, (uint64_t)c, "batchNorm invStd", (void **)&inv_std, NULL) ||
      !typed(env, argv[5], napi_float32_array, (uint64_t)c, "batchNorm gamma", (void **)&gamma, NULL) ||
      !typed(env, argv[6], napi_float32_array, (uint64_t)c, "batchNorm beta", (void **)&beta, NULL) ||
      !typed(env, argv[7], napi_float32_array, n, "batchNorm xhat", (void **)&xhat, NULL) ||
      !typed(env, argv[8], napi_float32_array, n, "batchNorm y", (void **)&y, NULL) ||
      !threads_arg(env, info, 9, &threads))
    return NULL;
  bn_ctx_t k = {.a = x, .rows = rows, .c = c, .mean = mean, .inv_std = inv_std, .gamma = gamma, .beta = beta,
                .out1 = xhat, .out2 = y};
  parallel_ranges(pass_threads(threads, 3 * n), 0, rows, 1, bn_normalize_range, &k);
  return NULL;
}

/* batchNormBackwardF32(g, xhat, rows, c, gamma, invStd, meanG, meanGH, gx, threads = 1) */
static napi_value bn_backward_call(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int32_t rows, c, threads;
  float *g, *xhat, *gamma, *inv_std, *gx;
  double *mean_g, *mean_gh;
  if (!args(env, info, 9, argv,
            "onebit native: expected batchNormBackwardF32(g, xhat, rows, c, gamma, invStd, meanG, meanGH, gx)") ||
      !rows_channels(env, argv[2], argv[3], &rows, &c))
    return NULL;
  const uint64_t n = (uint64_t)rows * c;
  if (!typed(env, argv[0], napi_float32_array, n, "batchNormBackward g", (void **)&g, NULL) ||
      !typed(env, argv[1], napi_float32_array, n, "batchNormBackward xhat", (void **)&xhat, NULL) ||
      !typed(env, argv[4], napi_float32_array, (uint64_t)c, "batchNormBackward gamma", (void **)&gamma, NULL) ||
      !typed(env, argv[5], napi_float32_array, (uint64_t)c, "batchNormBackward invStd", (void **)&inv_std, NULL) ||
      !typed(env, argv[6], napi_float64_array, (uint64_t)c, "batchNormBackward meanG", (void **)&mean_g, NULL) ||
      !typed(env, argv[7], napi_float64_array, (uint64_t)c, "batchNormBackward meanGH", (void **)&mean_gh, NULL) ||
      !typed(env, argv[8], napi_float32_array, n, "batchNormBackward gx", (void **)&gx, NULL) ||
      !threads_arg(env, info, 9, &threads))
    return NULL;
  bn_ctx_t k = {.a = g, .b = xhat, .rows = rows, .c = c, .mean = mean_g, .mean2 = mean_gh, .inv_std = inv_std,
                .gamma = gamma, .out1 = gx};
  parallel_ranges(pass_threads(threads, 3 * n), 0, rows, 1, bn_backward_range, &k);
  return NULL;
}

typedef struct {
  float *w, *m, *v;
  const float *g;
  adam_t k;
} adam_ctx_t;

static void adam_range(void *arg, int64_t a, int64_t b) {
  const adam_ctx_t *c = arg;
  adam_f32(c->w + a, c->g + a, c->m + a, c->v + a, (size_t)(b - a), &c->k);
}

/* adamF32(w, g, m, v, beta1, oneMinusBeta1, beta2, oneMinusBeta2, lr, epsHat, lo, hi, threads = 1) */
static napi_value adam_call(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  float *w, *g, *m, *v;
  size_t n;
  double k[8];
  int32_t threads;
  static const char *names[8] = {"beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "lr", "epsHat", "lo", "hi"};
  if (!args(env, info, 12, argv,
            "onebit native: expected adamF32(w, g, m, v, beta1, oneMinusBeta1, beta2, oneMinusBeta2, lr, epsHat, lo, "
            "hi)") ||
      !typed(env, argv[0], napi_float32_array, 0, "adam w", (void **)&w, &n) ||
      !typed(env, argv[1], napi_float32_array, n, "adam g", (void **)&g, NULL) ||
      !typed(env, argv[2], napi_float32_array, n, "adam m", (void **)&m, NULL) ||
      !typed(env, argv[3], napi_float32_array, n, "adam v", (void **)&v, NULL))
    return NULL;
  for (int i = 0; i < 8; i++)
    if (!num_arg(env, argv[4 + i], names[i], &k[i])) return NULL;
  if (!threads_arg(env, info, 12, &threads)) return NULL;
  adam_ctx_t c = {w, m, v, g,
                  {(float)k[0], (float)k[1], (float)k[2], (float)k[3], (float)k[4], (float)k[5], (float)k[6],
                   (float)k[7]}};
  parallel_ranges(pass_threads(threads, 7 * (uint64_t)n), 0, (int64_t)n, LINE_FLOATS, adam_range, &c);
  return NULL;
}

/* The best XNOR kernels this CPU runs (as describe() orders them). */
static const isa_kernels_t *best_xnor_kernels(void) {
  static const int preference[ISA_COUNT] = {ISA_AVX512, ISA_AVX2, ISA_NEON, ISA_SCALAR};
  for (int i = 0; i < ISA_COUNT; i++) {
    const isa_kernels_t *k = isa_kernels(preference[i]);
    if (k) return k;
  }
  return NULL;
}

typedef struct {
  xnor_conv_t conv;
  const isa_kernels_t *isa;
  const float *x;
  uint8_t *bits;
  int32_t wpp;
  atomic_int failed; /* a range could not allocate its scratch */
} xnor_ctx_t;

static void xnor_pack_range(void *arg, int64_t a, int64_t b) {
  const xnor_ctx_t *c = arg;
  const int32_t ch = c->conv.w.channels;
  pack_signs((int32_t)a, (int32_t)b, (const uint8_t *)c->x, 4 * (size_t)ch, ch, c->bits, 4 * (size_t)c->wpp);
}

static void xnor_conv_range(void *arg, int64_t a, int64_t b) {
  xnor_ctx_t *c = arg;
  uint8_t *scratch = aligned_alloc(64, (size_t)XNOR_SCRATCH_ROWS * (size_t)c->conv.row_words * 4);
  if (!scratch) {
    atomic_store(&c->failed, 1);
    return;
  }
  xnor_conv_rows_f32(&c->conv, c->isa, a, b, scratch);
  free(scratch);
}

/* xnorConv2dF32(x, panels, geometry, outC, rowWords, y, threads = 1): y = conv(x, W) for ±1 NHWC
 * floats x and ±1 weights prepacked in panels (rowWords 32-bit words per output channel), exact. */
static napi_value xnor_conv_call(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  xnor_ctx_t c = {0};
  int32_t out_c, row_words, threads;
  float *x, *y;
  uint32_t *panels;
  if (!args(env, info, 6, argv, "onebit native: expected xnorConv2dF32(x, panels, geometry, outC, rowWords, y)") ||
      !geometry(env, argv[2], &c.conv.w) || !int_arg(env, argv[3], "outC", 1, &out_c) ||
      !int_arg(env, argv[4], "rowWords", 2, &row_words))
    return NULL;
  const window_t *w = &c.conv.w;
  c.wpp = (w->channels + 31) / 32;
  const uint64_t taps_words = (uint64_t)w->kernel_h * w->kernel_w * (uint64_t)c.wpp;
  const uint64_t pixels = (uint64_t)w->batch * w->in_h * w->in_w, rows = output_pixels(w);
  if (w->stride_h != w->stride_w || row_words % 2 != 0 || (uint64_t)row_words < taps_words ||
      (uint64_t)(w->out_h - 1) * w->stride_h > (uint64_t)w->in_h + w->pad_top + w->kernel_h ||
      (uint64_t)(w->out_w - 1) * w->stride_w > (uint64_t)w->in_w + w->pad_left + w->kernel_w ||
      pixels > INT32_MAX || rows > INT32_MAX) {
    throw_range(env, "ERR_ONEBIT_ARGS",
                "onebit native: xnorConv2d needs equal strides, an even rowWords covering the kernel taps and "
                "fewer than 2^31 pixels");
    return NULL;
  }
  const uint64_t panel_words = ((uint64_t)out_c + 3) / 4 * 4 * (uint64_t)row_words;
  if (!typed(env, argv[0], napi_float32_array, input_size(w), "xnorConv2d x", (void **)&x, NULL) ||
      !typed(env, argv[1], napi_uint32_array, panel_words, "xnorConv2d panels", (void **)&panels, NULL) ||
      !typed(env, argv[5], napi_float32_array, rows * (uint64_t)out_c, "xnorConv2d y", (void **)&y, NULL) ||
      !threads_arg(env, info, 6, &threads))
    return NULL;
  c.isa = best_xnor_kernels();
  c.x = x;
  c.bits = aligned_alloc(64, ((size_t)pixels * (size_t)c.wpp * 4 + 63) / 64 * 64);
  float *ones = malloc(sizeof(float) * (size_t)out_c), *zeros = calloc((size_t)out_c, sizeof(float));
  if (!c.isa || !c.bits || !ones || !zeros) {
    free(c.bits);
    free(ones);
    free(zeros);
    napi_throw_error(env, "ERR_ONEBIT_MEMORY", "onebit native: xnorConv2d could not allocate its buffers");
    return NULL;
  }
  for (int32_t j = 0; j < out_c; j++) ones[j] = 1.0f;
  c.conv.out_c = out_c;
  c.conv.row_words = row_words;
  c.conv.bits = c.bits;
  c.conv.panels = (const uint8_t *)panels;
  c.conv.ones = ones;
  c.conv.zeros = zeros;
  c.conv.out = y;
  const int32_t pack_threads = pass_threads(threads, pixels * (uint64_t)w->channels);
  parallel_ranges(pack_threads, 0, (int64_t)pixels, 1, xnor_pack_range, &c);
  /* Work per output pixel: rowWords words against outC columns; a thread pays from ~2^18 of them. */
  const int32_t conv_threads = rows * (uint64_t)row_words * (uint64_t)out_c < (1u << 22) ? 1 : threads;
  parallel_ranges(conv_threads, 0, (int64_t)rows, 1, xnor_conv_range, &c);
  free(c.bits);
  free(ones);
  free(zeros);
  if (atomic_load(&c.failed))
    napi_throw_error(env, "ERR_ONEBIT_MEMORY", "onebit native: xnorConv2d could not allocate its scratch");
  return NULL;
}

/* Adds these entry points to the addon's exports (called by addon.c's module init). */
void register_train_kernels(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"im2colF32", NULL, im2col_call, NULL, NULL, NULL, napi_default, NULL},
      {"col2imAddF32", NULL, col2im_call, NULL, NULL, NULL, napi_default, NULL},
      {"maxPoolF32", NULL, max_pool_call, NULL, NULL, NULL, napi_default, NULL},
      {"maxPoolBackwardF32", NULL, max_pool_backward_call, NULL, NULL, NULL, napi_default, NULL},
      {"signsF32", NULL, signs_call, NULL, NULL, NULL, napi_default, NULL},
      {"steBackwardF32", NULL, ste_call, NULL, NULL, NULL, napi_default, NULL},
      {"channelSumsF64", NULL, channel_sums_call, NULL, NULL, NULL, napi_default, NULL},
      {"batchNormF32", NULL, bn_normalize_call, NULL, NULL, NULL, napi_default, NULL},
      {"batchNormBackwardF32", NULL, bn_backward_call, NULL, NULL, NULL, napi_default, NULL},
      {"adamF32", NULL, adam_call, NULL, NULL, NULL, napi_default, NULL},
      {"xnorConv2dF32", NULL, xnor_conv_call, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
#endif
