/* The Node-API surface: each kernel takes (isa, view, args) where view is a Uint8Array over the
 * runtime's WebAssembly memory (ArrayBuffer or SharedArrayBuffer) and args a Uint32Array of byte
 * offsets and sizes (layouts in args.h). Every region a call touches is checked against the view
 * before any kernel runs, so a bad descriptor throws a RangeError instead of reading out of bounds.
 * Context-aware (NAPI_MODULE_INIT), no global mutable state: safe in every worker_thread. */
#include <stdio.h>

#define NAPI_VERSION 8
#include <node_api.h>

#include "args.h"
#include "kernels.h"
#include "sgemm.h"

/* train-addon.c: the float training kernels' entry points. */
void register_train_kernels(napi_env env, napi_value exports);
void register_glue_kernels(napi_env env, napi_value exports);

#define ABI_VERSION 2

typedef struct {
  uint8_t *base;
  size_t length;
  const uint32_t *args;
  size_t arg_count;
  const isa_kernels_t *isa;
} call_t;

static int fail(napi_env env, const char *code, const char *message) {
  napi_throw_range_error(env, code, message);
  return 0;
}

/* Reads (isa?, view, args) into c; returns 0 after throwing when they are malformed. */
static int read_call(napi_env env, napi_callback_info info, int with_isa, size_t min_args, call_t *c) {
  napi_value argv[3];
  size_t argc = 3;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  size_t first = with_isa ? 1 : 0;
  if (argc < first + 2) return fail(env, "ERR_ONEBIT_ARGS", "onebit native: expected (isa, view, args)");
  if (with_isa) {
    int32_t isa = -1;
    napi_get_value_int32(env, argv[0], &isa);
    c->isa = isa_kernels(isa);
    if (!c->isa) return fail(env, "ERR_ONEBIT_ISA", "onebit native: this CPU or build cannot run the requested ISA");
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, argv[first], &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array)
    return fail(env, "ERR_ONEBIT_ARGS", "onebit native: view must be a Uint8Array over the memory");
  c->base = data;
  c->length = length;
  if (napi_get_typedarray_info(env, argv[first + 1], &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_uint32_array || length < min_args)
    return fail(env, "ERR_ONEBIT_ARGS", "onebit native: args must be a Uint32Array of the call's descriptor");
  c->args = data;
  c->arg_count = length;
  return 1;
}

/* Saturating arithmetic for the bounds checks: a descriptor whose sizes overflow 64 bits reads as
 * "too large", never as a small wrapped-around size. */
static uint64_t mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}
static uint64_t add(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* Throws unless [at, at + bytes) lies inside the view. */
static int check_region(napi_env env, const call_t *c, uint64_t at, uint64_t bytes, const char *what) {
  if (add(at, bytes) <= c->length) return 1;
  char message[200];
  snprintf(message, sizeof message, "onebit native: %s [%llu, %llu) is outside the memory (%llu bytes)", what,
           (unsigned long long)at, (unsigned long long)add(at, bytes), (unsigned long long)c->length);
  return fail(env, "ERR_ONEBIT_BOUNDS", message);
}

/* Rows [r0, r1) of stride bytes each, the last one `last` bytes long. */
static int check_rows(napi_env env, const call_t *c, uint64_t at, uint64_t r0, uint64_t r1, uint64_t stride,
                      uint64_t last, const char *what) {
  if (r1 <= r0) return 1;
  return check_region(env, c, add(at, mul(r0, stride)), add(mul(r1 - 1 - r0, stride), last), what);
}

/* Validates a GEMM descriptor (at args[0..GEMM_ARGS)) for output rows [r0, r1) reading A rows
 * [a_r0, a_r1), and fills o. */
static int read_gemm(napi_env env, const call_t *c, uint32_t r0, uint32_t r1, uint32_t a_r0, uint32_t a_r1,
                     int bit_planes, output_t *o) {
  const uint32_t *g = c->args;
  const uint32_t mode = g[G_MODE], n = g[G_N], c0 = g[G_C0], c1 = g[G_C1], kw64 = g[G_KW64];
  if (mode > MODE_SCALE_BIAS || (int32_t)n < 0 || (int32_t)g[G_K] < 0 || (int32_t)kw64 < 0 || c0 > c1 ||
      c1 > n || c0 % 4 != 0 || (int32_t)r1 < 0)
    return fail(env, "ERR_ONEBIT_ARGS", "onebit native: malformed GEMM descriptor (mode, K, N, columns)");
  const uint64_t row_bytes = mul(kw64, bit_planes ? 64 : 8);
  if (!check_rows(env, c, g[G_A], a_r0, a_r1, g[G_A_STRIDE], row_bytes, "A rows")) return 0;
  const uint64_t panels = (c1 + 3) / 4;
  if (!check_region(env, c, g[G_W], mul(mul(panels, kw64), 32), "weight panels")) return 0;
  /* Columns the kernels write: whole panels, cut at N. */
  const uint64_t written = 4 * panels < n ? 4 * panels : n;
  const uint64_t stride = g[G_OUT_STRIDE];
  const uint64_t bit_words = (written + 31) / 32 * 4;
  uint64_t last = 4 * written;
  if (mode == MODE_THRESHOLD) {
    if (stride < (uint64_t)(n + 31) / 32 * 4)
      return fail(env, "ERR_ONEBIT_ARGS", "onebit native: threshold outStride is shorter than N bits");
    last = c1 >= n ? stride : bit_words > (uint64_t)(c1 + 31) / 32 * 4 ? bit_words : (uint64_t)(c1 + 31) / 32 * 4;
  }
  if (!check_rows(env, c, g[G_OUT], r0, r1, stride, last, "output rows")) return 0;
  if (mode == MODE_THRESHOLD && (!check_region(env, c, g[G_P0], 4ull * n, "thresholds") ||
                                 !check_region(env, c, g[G_P1], n, "flips")))
    return 0;
  if (mode == MODE_SCALE_BIAS && (!check_region(env, c, g[G_P0], 4ull * n, "scales") ||
                                  !check_region(env, c, g[G_P1], 4ull * n, "biases")))
    return 0;
  o->mode = (int32_t)mode;
  o->k = (int32_t)g[G_K];
  o->n = (int32_t)n;
  o->out = c->base + g[G_OUT];
  o->out_stride = stride;
  o->p0 = c->base + (mode == MODE_DOT ? 0 : g[G_P0]);
  o->p1 = c->base + (mode == MODE_DOT ? 0 : g[G_P1]);
  o->c0 = (int32_t)c0;
  o->c1 = (int32_t)c1;
  return 1;
}

static napi_value run_gemm(napi_env env, napi_callback_info info, int bit_planes) {
  call_t c;
  output_t o;
  if (!read_call(env, info, 1, GEMM_ARGS, &c)) return NULL;
  const uint32_t *g = c.args;
  const uint32_t r0 = g[G_ROW_START], r1 = g[G_ROW_END];
  if (r1 <= r0) return NULL;
  if (!read_gemm(env, &c, r0, r1, r0, r1, bit_planes, &o)) return NULL;
  gemm_fn f = bit_planes ? c.isa->bit_plane_gemm : c.isa->gemm;
  f(&o, c.base + g[G_A], g[G_A_STRIDE], c.base + g[G_W], (int32_t)g[G_KW64], (int32_t)r0, (int32_t)r1);
  return NULL;
}

static napi_value gemm(napi_env env, napi_callback_info info) { return run_gemm(env, info, 0); }
static napi_value bit_plane_gemm(napi_env env, napi_callback_info info) { return run_gemm(env, info, 1); }

/* Validates the packed NHWC input of a window operation (conv, pool) whose output pixels are [r0, r1). */
static int check_window_input(napi_env env, const call_t *c, const uint32_t *w, uint32_t r0, uint32_t r1) {
  const uint64_t out_hw = (uint64_t)w[W_OUT_H] * w[W_OUT_W];
  if (out_hw == 0 || w[W_WPP] == 0 || (int32_t)w[W_STRIDE] <= 0 || (int32_t)w[W_HEIGHT] < 0 ||
      (int32_t)w[W_WIDTH] < 0 || (int32_t)w[W_KH] < 0 || (int32_t)w[W_KW] < 0 || (int32_t)w[W_PAD_TOP] < 0 ||
      (int32_t)w[W_PAD_LEFT] < 0 || (int32_t)w[W_OUT_H] < 0 || (int32_t)w[W_OUT_W] < 0 || (int32_t)r1 < 0)
    return fail(env, "ERR_ONEBIT_ARGS", "onebit native: malformed window geometry");
  const uint64_t images = (r1 - 1) / out_hw + 1;
  const uint64_t image_bytes = mul(mul(mul(w[W_HEIGHT], w[W_WIDTH]), w[W_WPP]), 4);
  return check_region(env, c, w[W_INPUT], mul(images, image_bytes), "input images");
}

static napi_value conv2d(napi_env env, napi_callback_info info) {
  call_t c;
  output_t o;
  if (!read_call(env, info, 1, CONV_ARGS, &c)) return NULL;
  const uint32_t *g = c.args;
  const uint32_t *w = g + GEMM_ARGS;
  const uint32_t r0 = g[G_ROW_START], r1 = g[G_ROW_END], chunk = w[W_SCRATCH_ROWS];
  if (r1 <= r0) return NULL;
  if (!check_window_input(env, &c, w, r0, r1)) return NULL;
  const uint64_t gathered = mul(mul(mul(w[W_KH], w[W_KW]), w[W_WPP]), 4);
  if (chunk == 0 || gathered > g[G_A_STRIDE] || (uint64_t)g[G_KW64] * 8 > g[G_A_STRIDE] || w[W_LAST_MASK] == 0)
  {
    fail(env, "ERR_ONEBIT_ARGS", "onebit native: conv scratch rows are shorter than a gathered window");
    return NULL;
  }
  const uint32_t rows = r1 - r0 < chunk ? r1 - r0 : chunk;
  if (!check_rows(env, &c, g[G_A], 0, rows, g[G_A_STRIDE], g[G_A_STRIDE], "im2col scratch")) return NULL;
  if (!read_gemm(env, &c, r0, r1, 0, rows, 0, &o)) return NULL;
  uint8_t *const out = o.out;
  for (uint32_t s = r0; s < r1; s += chunk) {
    const uint32_t e = r1 - s < chunk ? r1 : s + chunk;
    im2col((int32_t)s, (int32_t)e, c.base + w[W_INPUT], (int32_t)w[W_HEIGHT], (int32_t)w[W_WIDTH],
           (int32_t)w[W_WPP], (int32_t)w[W_KH], (int32_t)w[W_KW], (int32_t)w[W_STRIDE], (int32_t)w[W_PAD_TOP],
           (int32_t)w[W_PAD_LEFT], (int32_t)w[W_OUT_H], (int32_t)w[W_OUT_W], w[W_LAST_MASK], c.base + g[G_A],
           g[G_A_STRIDE]);
    o.out = out + (size_t)s * o.out_stride;
    c.isa->gemm(&o, c.base + g[G_A], g[G_A_STRIDE], c.base + g[G_W], (int32_t)g[G_KW64], 0, (int32_t)(e - s));
  }
  return NULL;
}

/* The bit-plane (8-bit input) convolution: 8-bit im2col into bit-plane scratch rows, then the
 * bit-plane GEMM, chunk by chunk. */
static napi_value bit_plane_conv2d(napi_env env, napi_callback_info info) {
  call_t c;
  output_t o;
  if (!read_call(env, info, 1, PLANE_CONV_ARGS, &c)) return NULL;
  const uint32_t *g = c.args;
  const uint32_t *w = g + GEMM_ARGS;
  const uint32_t r0 = g[G_ROW_START], r1 = g[G_ROW_END], chunk = w[PW_SCRATCH_ROWS];
  if (r1 <= r0) return NULL;
  const uint64_t out_hw = (uint64_t)w[PW_OUT_H] * w[PW_OUT_W];
  for (int i = PW_HEIGHT; i <= PW_OUT_W; i++)
    if ((int32_t)w[i] < 0) {
      fail(env, "ERR_ONEBIT_ARGS", "onebit native: malformed bit-plane window geometry");
      return NULL;
    }
  if (out_hw == 0 || w[PW_STRIDE_H] == 0 || w[PW_STRIDE_W] == 0 || w[PW_PAD_VALUE] > 255 || (int32_t)r1 < 0) {
    fail(env, "ERR_ONEBIT_ARGS", "onebit native: malformed bit-plane window geometry");
    return NULL;
  }
  const uint64_t k = mul(mul(w[PW_KH], w[PW_KW]), w[PW_CHANNELS]);
  if (chunk == 0 || k > mul(g[G_KW64], 64) || mul(g[G_KW64], 64) > g[G_A_STRIDE]) {
    fail(env, "ERR_ONEBIT_ARGS", "onebit native: bit-plane scratch rows are shorter than a gathered window");
    return NULL;
  }
  const uint64_t images = (r1 - 1) / out_hw + 1;
  const uint64_t image_bytes = mul(mul(w[PW_HEIGHT], w[PW_WIDTH]), w[PW_CHANNELS]);
  if (!check_region(env, &c, w[PW_INPUT], mul(images, image_bytes), "input images")) return NULL;
  const uint32_t rows = r1 - r0 < chunk ? r1 - r0 : chunk;
  if (!check_rows(env, &c, g[G_A], 0, rows, g[G_A_STRIDE], g[G_A_STRIDE], "bit-plane scratch")) return NULL;
  if (!read_gemm(env, &c, r0, r1, 0, rows, 1, &o)) return NULL;
  uint8_t *const out = o.out;
  /* Byte GEMM (VNNI) where it costs less: the im2col writes bytes, no planes at all. */
  const int32_t groups = (int32_t)((k + 3) / 4);
  const int bytes = c.isa->byte_gemm && vnni_pays(r1 - r0, 4 * (int64_t)((o.c1 + 3) / 4), groups, (int32_t)g[G_KW64], 0);
  for (uint32_t s = r0; s < r1; s += chunk) {
    const uint32_t e = r1 - s < chunk ? r1 : s + chunk;
    o.out = out + (size_t)s * o.out_stride;
    if (bytes) {
      im2col_bytes((int32_t)s, (int32_t)e, c.base + w[PW_INPUT], (int32_t)w[PW_HEIGHT], (int32_t)w[PW_WIDTH],
                   (int32_t)w[PW_CHANNELS], (int32_t)w[PW_KH], (int32_t)w[PW_KW], (int32_t)w[PW_STRIDE_H],
                   (int32_t)w[PW_STRIDE_W], (int32_t)w[PW_PAD_TOP], (int32_t)w[PW_PAD_LEFT], (int32_t)w[PW_OUT_H],
                   (int32_t)w[PW_OUT_W], (uint8_t)w[PW_PAD_VALUE], c.base + g[G_A], g[G_A_STRIDE],
                   4 * (size_t)groups);
      if (c.isa->byte_gemm(&o, c.base + g[G_A], g[G_A_STRIDE], groups, c.base + g[G_W], (int32_t)g[G_KW64], 0,
                           (int32_t)(e - s)))
        continue;
    }
    im2col_planes((int32_t)s, (int32_t)e, c.base + w[PW_INPUT], (int32_t)w[PW_HEIGHT], (int32_t)w[PW_WIDTH],
                  (int32_t)w[PW_CHANNELS], (int32_t)w[PW_KH], (int32_t)w[PW_KW], (int32_t)w[PW_STRIDE_H],
                  (int32_t)w[PW_STRIDE_W], (int32_t)w[PW_PAD_TOP], (int32_t)w[PW_PAD_LEFT], (int32_t)w[PW_OUT_H],
                  (int32_t)w[PW_OUT_W], (uint8_t)w[PW_PAD_VALUE], c.base + g[G_A], g[G_A_STRIDE], (int32_t)g[G_KW64]);
    c.isa->bit_plane_gemm(&o, c.base + g[G_A], g[G_A_STRIDE], c.base + g[G_W], (int32_t)g[G_KW64], 0,
                          (int32_t)(e - s));
  }
  return NULL;
}

static napi_value max_pool2d(napi_env env, napi_callback_info info) {
  call_t c;
  if (!read_call(env, info, 0, POOL_ARGS, &c)) return NULL;
  const uint32_t *p = c.args;
  const uint32_t r0 = p[P_ROW_START], r1 = p[P_ROW_END];
  if (r1 <= r0) return NULL;
  if (!check_window_input(env, &c, p + P_WINDOW, r0, r1)) return NULL;
  const uint32_t *w = p + P_WINDOW;
  const uint64_t pix = (uint64_t)w[W_WPP] * 4;
  if (!check_rows(env, &c, p[P_OUT], r0, r1, pix, pix, "pooled pixels")) return NULL;
  max_pool((int32_t)r0, (int32_t)r1, c.base + w[W_INPUT], (int32_t)w[W_HEIGHT], (int32_t)w[W_WIDTH],
           (int32_t)w[W_WPP], (int32_t)w[W_KH], (int32_t)w[W_KW], (int32_t)w[W_STRIDE], (int32_t)w[W_PAD_TOP],
           (int32_t)w[W_PAD_LEFT], (int32_t)w[W_OUT_H], (int32_t)w[W_OUT_W], c.base + p[P_OUT]);
  return NULL;
}

static napi_value pack_signs_rows(napi_env env, napi_callback_info info) {
  call_t c;
  if (!read_call(env, info, 0, PACK_ARGS, &c)) return NULL;
  const uint32_t *p = c.args;
  const uint32_t r0 = p[K_ROW_START], r1 = p[K_ROW_END], cols = p[K_COLS];
  if (r1 <= r0) return NULL;
  if ((int32_t)cols < 0 || (int32_t)r1 < 0 || (uint64_t)(cols + 31ull) / 32 * 4 > p[K_OUT_STRIDE])
  {
    fail(env, "ERR_ONEBIT_ARGS", "onebit native: packed rows are shorter than cols bits");
    return NULL;
  }
  if (!check_rows(env, &c, p[K_SRC], r0, r1, p[K_SRC_STRIDE], 4ull * cols, "float rows") ||
      !check_rows(env, &c, p[K_OUT], r0, r1, p[K_OUT_STRIDE], p[K_OUT_STRIDE], "packed rows"))
    return NULL;
  pack_signs((int32_t)r0, (int32_t)r1, c.base + p[K_SRC], p[K_SRC_STRIDE], (int32_t)cols, c.base + p[K_OUT],
             p[K_OUT_STRIDE]);
  return NULL;
}


/* Reads a Float32Array argument into (data, length); 0 after throwing when it is something else. */
static int read_floats(napi_env env, napi_value value, const char *what, float **data, size_t *length) {
  napi_typedarray_type type;
  void *ptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &ptr, &buffer, &offset) != napi_ok ||
      type != napi_float32_array) {
    char message[120];
    snprintf(message, sizeof message, "onebit native: sgemm %s must be a Float32Array", what);
    return fail(env, "ERR_ONEBIT_ARGS", message);
  }
  *data = ptr;
  return 1;
}

/* sgemm(isa, a, b, c, m, n, k, transA, transB, alpha, beta, threads = 1): C = alpha·op(A)·op(B) +
 * beta·C on Float32Arrays (any views, e.g. over a WebAssembly memory: no copy), large products split
 * over `threads` threads started for the call. Throws a RangeError, having
 * written nothing, when an array is shorter than its matrix or the ISA cannot run here. */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  size_t argc = 12;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 11) {
    fail(env, "ERR_ONEBIT_ARGS", "onebit native: expected sgemm(isa, a, b, c, m, n, k, transA, transB, alpha, beta)");
    return NULL;
  }
  int32_t isa_id = -1, dims[3] = {-1, -1, -1};
  bool trans[2] = {false, false};
  double scalars[2] = {0, 0};
  napi_get_value_int32(env, argv[0], &isa_id);
  const sgemm_isa_t *isa = sgemm_isa(isa_id);
  if (!isa) {
    fail(env, "ERR_ONEBIT_ISA", "onebit native: this CPU or build cannot run the requested ISA");
    return NULL;
  }
  float *m_[3];
  size_t len[3];
  if (!read_floats(env, argv[1], "a", &m_[0], &len[0]) || !read_floats(env, argv[2], "b", &m_[1], &len[1]) ||
      !read_floats(env, argv[3], "c", &m_[2], &len[2]))
    return NULL;
  for (int i = 0; i < 3; i++)
    if (napi_get_value_int32(env, argv[4 + i], &dims[i]) != napi_ok || dims[i] < 0) {
      fail(env, "ERR_ONEBIT_ARGS", "onebit native: sgemm m, n and k must be non-negative int32 numbers");
      return NULL;
    }
  for (int i = 0; i < 2; i++)
    if (napi_get_value_bool(env, argv[7 + i], &trans[i]) != napi_ok ||
        napi_get_value_double(env, argv[9 + i], &scalars[i]) != napi_ok) {
      fail(env, "ERR_ONEBIT_ARGS", "onebit native: sgemm transA/transB must be booleans, alpha/beta numbers");
      return NULL;
    }
  const uint64_t m = (uint64_t)dims[0], n = (uint64_t)dims[1], k = (uint64_t)dims[2];
  const uint64_t need[3] = {m * k, k * n, m * n};
  static const char *names[3] = {"a (m×k)", "b (k×n)", "c (m×n)"};
  for (int i = 0; i < 3; i++)
    if (len[i] < need[i]) {
      char message[160];
      snprintf(message, sizeof message, "onebit native: sgemm %s has %llu floats, needs %llu", names[i],
               (unsigned long long)len[i], (unsigned long long)need[i]);
      fail(env, "ERR_ONEBIT_BOUNDS", message);
      return NULL;
    }
  int32_t threads = 1;
  if (argc > 11 && napi_get_value_int32(env, argv[11], &threads) != napi_ok) threads = 1;
  if (threads < 1) threads = 1;
  if (!sgemm_run(isa, m_[0], m_[1], m_[2], dims[0], dims[1], dims[2], trans[0], trans[1], (float)scalars[0],
                 (float)scalars[1], threads))
    napi_throw_error(env, "ERR_ONEBIT_MEMORY", "onebit native: sgemm could not allocate its packing buffers");
  return NULL;
}

/* { abi, isas: names this CPU runs (best first), floatIsas: the same for sgemm, cpu } */
static napi_value describe(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, isas, value;
  napi_create_object(env, &result);
  napi_create_uint32(env, ABI_VERSION, &value);
  napi_set_named_property(env, result, "abi", value);
  napi_create_array(env, &isas);
  uint32_t count = 0;
  static const int preference[ISA_COUNT] = {ISA_AVX512, ISA_AVX2, ISA_NEON, ISA_SCALAR};
  for (int i = 0; i < ISA_COUNT; i++) {
    const isa_kernels_t *k = isa_kernels(preference[i]);
    if (!k) continue;
    napi_create_string_utf8(env, k->name, NAPI_AUTO_LENGTH, &value);
    napi_set_element(env, isas, count++, value);
  }
  napi_set_named_property(env, result, "isas", isas);
  napi_create_array(env, &isas);
  count = 0;
  for (int i = 0; i < ISA_COUNT; i++) {
    const sgemm_isa_t *k = sgemm_isa(preference[i]);
    if (!k) continue;
    napi_create_string_utf8(env, k->name, NAPI_AUTO_LENGTH, &value);
    napi_set_element(env, isas, count++, value);
  }
  napi_set_named_property(env, result, "floatIsas", isas);
  char cpu[96];
  cpu_description(cpu, sizeof cpu);
  napi_create_string_utf8(env, cpu, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "cpu", value);
  return result;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"describe", NULL, describe, NULL, NULL, NULL, napi_default, NULL},
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"bitPlaneGemm", NULL, bit_plane_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"conv2d", NULL, conv2d, NULL, NULL, NULL, napi_default, NULL},
      {"bitPlaneConv2d", NULL, bit_plane_conv2d, NULL, NULL, NULL, napi_default, NULL},
      {"maxPool2d", NULL, max_pool2d, NULL, NULL, NULL, napi_default, NULL},
      {"packSigns", NULL, pack_signs_rows, NULL, NULL, NULL, napi_default, NULL},
      {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  register_train_kernels(env, exports);
  register_glue_kernels(env, exports);
  return exports;
}
