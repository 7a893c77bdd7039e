/* The Node-API entry points of the training kernels (train.c): argument parsing and bounds checks.
 * Compiled out where node_api.h is not on the include path (the C kernel tests build every csrc
 * file but addon.c without Node's headers). */
#if __has_include(<node_api.h>)
#include <stdint.h>
#include <stdio.h>

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
  napi_value argv[8];
  size_t argc = index + 1;
  napi_valuetype type = napi_undefined;
  *threads = 1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc <= index || napi_typeof(env, argv[index], &type) != napi_ok || type == napi_undefined) return 1;
  return int_arg(env, argv[index], "threads", 1, threads);
}

/* Passes of fewer floats than this stay on the calling thread (a thread start costs about as much
 * as copying 2^16 floats). */
#define THREADED_MIN_FLOATS (1 << 18)

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
  if ((uint64_t)(r1 - r0) * row_length(&w) < THREADED_MIN_FLOATS) threads = 1;
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
  if ((uint64_t)(r1 - r0) * row_length(&w) < THREADED_MIN_FLOATS) threads = 1;
  const int64_t image = (int64_t)w.out_h * w.out_w, first = r0 / image * image;
  parallel_ranges(threads, first, r1, image, col2im_range, &c);
  return NULL;
}

/* maxPoolF32(input, output, argmax, geometry): pads are ignored ('valid' windows). */
static napi_value max_pool_call(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  window_t w;
  float *input, *output;
  int32_t *argmax;
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
      !typed(env, argv[2], napi_int32_array, out, "maxPool argmax", (void **)&argmax, NULL))
    return NULL;
  if (input_size(&w) > INT32_MAX) {
    throw_range(env, "ERR_ONEBIT_BOUNDS", "onebit native: max-pool input has more than 2^31 − 1 elements");
    return NULL;
  }
  max_pool_f32(&w, input, output, argmax);
  return NULL;
}

/* signsF32(x, out) */
static napi_value signs_call(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  float *x, *out;
  size_t n;
  if (!args(env, info, 2, argv, "onebit native: expected signsF32(x, out)") ||
      !typed(env, argv[0], napi_float32_array, 0, "signs x", (void **)&x, &n) ||
      !typed(env, argv[1], napi_float32_array, n, "signs out", (void **)&out, NULL))
    return NULL;
  signs_f32(x, n, out);
  return NULL;
}

/* steBackwardF32(x, gradOut, gradIn, clip) */
static napi_value ste_call(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  float *x, *g, *out;
  size_t n;
  double clip;
  if (!args(env, info, 4, argv, "onebit native: expected steBackwardF32(x, gradOut, gradIn, clip)") ||
      !typed(env, argv[0], napi_float32_array, 0, "steBackward x", (void **)&x, &n) ||
      !typed(env, argv[1], napi_float32_array, n, "steBackward gradOut", (void **)&g, NULL) ||
      !typed(env, argv[2], napi_float32_array, n, "steBackward gradIn", (void **)&out, NULL) ||
      !num_arg(env, argv[3], "clip", &clip))
    return NULL;
  if (!(clip >= 0)) {
    throw_range(env, "ERR_ONEBIT_ARGS", "onebit native: steBackward clip must be ≥ 0");
    return NULL;
  }
  ste_backward_f32(x, g, n, (float)clip, out);
  return NULL;
}

/* Rows × channels of a BatchNorm call, checked. */
static int rows_channels(napi_env env, napi_value a, napi_value b, int32_t *rows, int32_t *c) {
  return int_arg(env, a, "rows", 0, rows) && int_arg(env, b, "channels", 1, c);
}

/* channelSumsF64(a, b, rows, c, acc, acc2) */
static napi_value channel_sums_call(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int32_t rows, c;
  float *a, *b;
  double *acc, *acc2;
  if (!args(env, info, 6, argv, "onebit native: expected channelSumsF64(a, b, rows, c, acc, acc2)") ||
      !rows_channels(env, argv[2], argv[3], &rows, &c))
    return NULL;
  const uint64_t n = (uint64_t)rows * c;
  if (!typed(env, argv[0], napi_float32_array, n, "channelSums a", (void **)&a, NULL) ||
      !typed(env, argv[1], napi_float32_array, n, "channelSums b", (void **)&b, NULL) ||
      !typed(env, argv[4], napi_float64_array, (uint64_t)c, "channelSums acc", (void **)&acc, NULL) ||
      !typed(env, argv[5], napi_float64_array, (uint64_t)c, "channelSums acc2", (void **)&acc2, NULL))
    return NULL;
  channel_sums_f64(a, b, rows, c, acc, acc2);
  return NULL;
}

/* batchNormF32(x, rows, c, mean, invStd, gamma, beta, xhat, y) */
static napi_value bn_normalize_call(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int32_t rows, c;
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
      !typed(env, argv[8], napi_float32_array, n, "batchNorm y", (void **)&y, NULL))
    return NULL;
  bn_normalize_f32(x, rows, c, mean, inv_std, gamma, beta, xhat, y);
  return NULL;
}

/* batchNormBackwardF32(g, xhat, rows, c, gamma, invStd, meanG, meanGH, gx) */
static napi_value bn_backward_call(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int32_t rows, c;
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
      !typed(env, argv[8], napi_float32_array, n, "batchNormBackward gx", (void **)&gx, NULL))
    return NULL;
  bn_backward_f32(g, xhat, rows, c, gamma, inv_std, mean_g, mean_gh, gx);
  return NULL;
}

/* adamF32(w, g, m, v, beta1, oneMinusBeta1, beta2, oneMinusBeta2, lr, epsHat, lo, hi) */
static napi_value adam_call(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  float *w, *g, *m, *v;
  size_t n;
  double k[8];
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
  const adam_t c = {(float)k[0], (float)k[1], (float)k[2], (float)k[3], (float)k[4], (float)k[5], (float)k[6], (float)k[7]};
  adam_f32(w, g, m, v, n, &c);
  return NULL;
}

/* Adds these entry points to the addon's exports (called by addon.c's module init). */
void register_train_kernels(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"im2colF32", NULL, im2col_call, NULL, NULL, NULL, napi_default, NULL},
      {"col2imAddF32", NULL, col2im_call, NULL, NULL, NULL, napi_default, NULL},
      {"maxPoolF32", NULL, max_pool_call, NULL, NULL, NULL, napi_default, NULL},
      {"signsF32", NULL, signs_call, NULL, NULL, NULL, napi_default, NULL},
      {"steBackwardF32", NULL, ste_call, NULL, NULL, NULL, napi_default, NULL},
      {"channelSumsF64", NULL, channel_sums_call, NULL, NULL, NULL, napi_default, NULL},
      {"batchNormF32", NULL, bn_normalize_call, NULL, NULL, NULL, napi_default, NULL},
      {"batchNormBackwardF32", NULL, bn_backward_call, NULL, NULL, NULL, napi_default, NULL},
      {"adamF32", NULL, adam_call, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
#endif
