/* The Node-API entry points of the float glue kernels (glue.c): descriptors read and every range
 * checked against the memory view before a kernel runs, so a malformed call throws instead of
 * touching memory outside the view. Compiled out without node_api.h, like train-addon.c. */
#if __has_include(<node_api.h>)
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NAPI_VERSION 8
#include <node_api.h>

#include "glue.h"

#define GLUE_MAX_DIM (1 << 24)

static void fail(napi_env env, const char *code, const char *message) { napi_throw_range_error(env, code, message); }

/* argv[i] as a typed array of `type`; 0 after throwing. */
static int typed(napi_env env, napi_value value, napi_typedarray_type type, const char *what, void **data,
                 size_t *length) {
  napi_typedarray_type actual;
  napi_value buffer;
  size_t offset;
  char message[160];
  if (napi_get_typedarray_info(env, value, &actual, length, data, &buffer, &offset) != napi_ok || actual != type) {
    snprintf(message, sizeof message, "onebit native: %s has the wrong type", what);
    fail(env, "ERR_ONEBIT_ARGS", message);
    return 0;
  }
  return 1;
}

/* The call's (view, descriptor, extra) arguments; 0 after throwing. */
static int glue_args(napi_env env, napi_callback_info info, const char *usage, uint8_t **mem, size_t *mem_len,
                     const double **desc, size_t need, napi_value *extra) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    fail(env, "ERR_ONEBIT_ARGS", usage);
    return 0;
  }
  size_t len;
  if (!typed(env, argv[0], napi_uint8_array, "view", (void **)mem, mem_len)) return 0;
  if (!typed(env, argv[1], napi_float64_array, "descriptor", (void **)desc, &len)) return 0;
  if (len < need) {
    fail(env, "ERR_ONEBIT_ARGS", usage);
    return 0;
  }
  *extra = argv[2];
  return 1;
}

/* desc[i] as an integer in [min, max]; 0 when it is not. */
static int int_in(const double *desc, int i, double min, double max, int64_t *out) {
  const double v = desc[i];
  if (!(v >= min && v <= max) || floor(v) != v) return 0;
  *out = (int64_t)v;
  return 1;
}

/* [byte, byte + floats·4) lies in the view and is 4-byte aligned. */
static int in_view(int64_t byte, int64_t floats, size_t mem_len) {
  return byte >= 0 && byte % 4 == 0 && floats >= 0 && (uint64_t)(byte + floats * 4) <= mem_len;
}

/* floatConv(view, [height, width, channels, n, kernelH, kernelW, strideH, strideW, dilationH, dilationW,
 * padTop, padLeft, outH, outW, groups, rowStart, rowEnd, x, out, bias (0: none), padValue], weights
 * transposed to [kh][kw][ci][o]). */
static napi_value float_conv(napi_env env, napi_callback_info info) {
  static const char *usage =
      "onebit native: floatConv(view: Uint8Array, descriptor: Float64Array(21), weights: Float32Array)";
  uint8_t *mem;
  size_t mem_len, wlen;
  const double *d;
  napi_value extra;
  float *wt;
  if (!glue_args(env, info, usage, &mem, &mem_len, &d, FCONV_FIELDS + 4, &extra)) return NULL;
  if (!typed(env, extra, napi_float32_array, "weights", (void **)&wt, &wlen)) return NULL;
  int64_t f[FCONV_FIELDS + 3];
  for (int i = 0; i < FCONV_FIELDS; i++) {
    const int nonneg = i == 10 || i == 11 || i == 15 || i == 16; /* pads and rows may be 0 */
    if (!int_in(d, i, nonneg ? 0 : 1, GLUE_MAX_DIM, &f[i])) {
      fail(env, "ERR_ONEBIT_ARGS", "onebit native: floatConv has a malformed geometry");
      return NULL;
    }
  }
  for (int i = 0; i < 3; i++)
    if (!int_in(d, FCONV_FIELDS + i, 0, 4294967295.0, &f[FCONV_FIELDS + i])) {
      fail(env, "ERR_ONEBIT_ARGS", "onebit native: floatConv has a malformed pointer");
      return NULL;
    }
  const fconv_t g = {(int32_t)f[0],  (int32_t)f[1],  (int32_t)f[2],  (int32_t)f[3],  (int32_t)f[4],  (int32_t)f[5],
                     (int32_t)f[6],  (int32_t)f[7],  (int32_t)f[8],  (int32_t)f[9],  (int32_t)f[10], (int32_t)f[11],
                     (int32_t)f[12], (int32_t)f[13], (int32_t)f[14], (int32_t)f[15], (int32_t)f[16]};
  if (g.channels % g.groups != 0 || g.n % g.groups != 0 || g.row_start > g.row_end) {
    fail(env, "ERR_ONEBIT_ARGS", "onebit native: floatConv groups must divide channels and n, rows ordered");
    return NULL;
  }
  const int64_t out_hw = (int64_t)g.out_h * g.out_w;
  const int64_t batches = (g.row_end + out_hw - 1) / out_hw;
  const int64_t taps = (int64_t)g.kernel_h * g.kernel_w * (g.channels / g.groups);
  if (!in_view(f[FCONV_FIELDS], batches * g.height * g.width * (int64_t)g.channels, mem_len) ||
      !in_view(f[FCONV_FIELDS + 1], (int64_t)g.row_end * g.n, mem_len) ||
      (f[FCONV_FIELDS + 2] != 0 && !in_view(f[FCONV_FIELDS + 2], g.n, mem_len)) || (uint64_t)(taps * g.n) > wlen) {
    fail(env, "ERR_ONEBIT_BOUNDS", "onebit native: floatConv reaches outside its memory or weights");
    return NULL;
  }
  double *acc = malloc(sizeof(double) * (size_t)g.n);
  if (!acc) {
    napi_throw_error(env, "ERR_ONEBIT_MEMORY", "onebit native: floatConv could not allocate its sums");
    return NULL;
  }
  const float *bias = f[FCONV_FIELDS + 2] ? (const float *)(mem + f[FCONV_FIELDS + 2]) : NULL;
  fconv_rows(&g, (const float *)(mem + f[FCONV_FIELDS]), wt, bias, d[FCONV_FIELDS + 3],
             (float *)(mem + f[FCONV_FIELDS + 1]), acc);
  free(acc);
  return NULL;
}

/* floatAffine(view, [channels, mode, clamp, clampAfter, lo, hi, lo2, hi2, positions, wpp, src, dst,
 * other (0: none), bits (0: none), thresholds (0/1)], per-channel float64 [mean, root,
 * gamma, beta, t, sgn, alpha] (7·channels)). mode: 0–3 the affine part, + 4 with a trailing prelu (an
 * addon older than the prelu rejects such a descriptor rather than skip the prelu). */
static napi_value float_affine(napi_env env, napi_callback_info info) {
  static const char *usage =
      "onebit native: floatAffine(view: Uint8Array, descriptor: Float64Array(15), channels: Float64Array)";
  uint8_t *mem;
  size_t mem_len, plen;
  const double *d;
  napi_value extra;
  double *params;
  if (!glue_args(env, info, usage, &mem, &mem_len, &d, 15, &extra)) return NULL;
  if (!typed(env, extra, napi_float64_array, "channel parameters", (void **)&params, &plen)) return NULL;
  int64_t c, mode, clamp, clamp_after, positions, wpp, src, dst, other, bits, thresholds;
  if (!int_in(d, 0, 1, GLUE_MAX_DIM, &c) || !int_in(d, 1, 0, 7, &mode) || !int_in(d, 2, 0, 1, &clamp) ||
      !int_in(d, 3, 0, 1, &clamp_after) || !int_in(d, 8, 0, 1e15, &positions) || !int_in(d, 9, 0, GLUE_MAX_DIM, &wpp) ||
      !int_in(d, 10, 0, 4294967295.0, &src) || !int_in(d, 11, 0, 4294967295.0, &dst) ||
      !int_in(d, 12, 0, 4294967295.0, &other) || !int_in(d, 13, 0, 4294967295.0, &bits) ||
      !int_in(d, 14, 0, 1, &thresholds) || isnan(d[4]) || isnan(d[5]) || isnan(d[6]) || isnan(d[7])) {
    fail(env, "ERR_ONEBIT_ARGS", "onebit native: floatAffine has a malformed descriptor");
    return NULL;
  }
  const int64_t floats = positions * c;
  if (!in_view(src, floats, mem_len) || !in_view(dst, floats, mem_len) ||
      (other && !in_view(other, floats, mem_len)) || (bits && (wpp * 32 < c || !in_view(bits, positions * wpp, mem_len))) ||
      plen < (size_t)((mode & 4 ? 7 : 6) * c)) {
    fail(env, "ERR_ONEBIT_BOUNDS", "onebit native: floatAffine reaches outside its memory or parameters");
    return NULL;
  }
  const faffine_t a = {(int32_t)c, (int32_t)mode, (int32_t)clamp, (int32_t)clamp_after, d[4], d[5], d[6], d[7],
                       positions, (int32_t)wpp};
  faffine_rows(&a, (const float *)(mem + src), other ? (const float *)(mem + other) : NULL, (float *)(mem + dst),
               params, params + c, params + 2 * c, params + 3 * c, bits ? (uint32_t *)(mem + bits) : NULL,
               thresholds ? params + 4 * c : NULL, params + 5 * c);
  return NULL;
}

/* floatMaxPool(view, [height, width, depth, poolH, poolW, strideH, strideW, padTop, padLeft, outH, outW,
 * rowStart, rowEnd, x, out], unused). */
static napi_value float_max_pool(napi_env env, napi_callback_info info) {
  static const char *usage = "onebit native: floatMaxPool(view: Uint8Array, descriptor: Float64Array(15), _)";
  uint8_t *mem;
  size_t mem_len;
  const double *d;
  napi_value extra;
  if (!glue_args(env, info, usage, &mem, &mem_len, &d, FPOOL_FIELDS + 2, &extra)) return NULL;
  int64_t f[FPOOL_FIELDS + 2];
  for (int i = 0; i < FPOOL_FIELDS + 2; i++) {
    const int nonneg = i == 7 || i == 8 || i >= 11;
    if (!int_in(d, i, nonneg ? 0 : 1, i >= FPOOL_FIELDS ? 4294967295.0 : GLUE_MAX_DIM, &f[i])) {
      fail(env, "ERR_ONEBIT_ARGS", "onebit native: floatMaxPool has a malformed descriptor");
      return NULL;
    }
  }
  const fpool_t p = {(int32_t)f[0], (int32_t)f[1], (int32_t)f[2],  (int32_t)f[3],  (int32_t)f[4],
                     (int32_t)f[5], (int32_t)f[6], (int32_t)f[7],  (int32_t)f[8],  (int32_t)f[9],
                     (int32_t)f[10], (int32_t)f[11], (int32_t)f[12]};
  const int64_t out_hw = (int64_t)p.out_h * p.out_w;
  const int64_t batches = (p.row_end + out_hw - 1) / out_hw;
  if (p.row_start > p.row_end || !in_view(f[FPOOL_FIELDS], batches * p.height * p.width * (int64_t)p.depth, mem_len) ||
      !in_view(f[FPOOL_FIELDS + 1], (int64_t)p.row_end * p.depth, mem_len)) {
    fail(env, "ERR_ONEBIT_BOUNDS", "onebit native: floatMaxPool reaches outside its memory");
    return NULL;
  }
  fmax_pool_rows(&p, (const float *)(mem + f[FPOOL_FIELDS]), (float *)(mem + f[FPOOL_FIELDS + 1]));
  return NULL;
}

void register_glue_kernels(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"floatConv", NULL, float_conv, NULL, NULL, NULL, napi_default, NULL},
      {"floatAffine", NULL, float_affine, NULL, NULL, NULL, napi_default, NULL},
      {"floatMaxPool", NULL, float_max_pool, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
#endif
