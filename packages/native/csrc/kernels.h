/* Shared declarations of the native kernels: the output epilogue of one GEMM call, the kernel
 * table of one instruction set, and the portable (ISA-independent) kernels. Layouts are those of
 * @onebit/bitops (see its src/kernels/kernel-args.ts): weights prepacked in 4-column panels,
 * interleaved per 64-bit word; panel p, word t, column c at w + ((p*kw64 + t)*4 + c)*8. */
#ifndef ONEBIT_KERNELS_H
#define ONEBIT_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { MODE_DOT = 0, MODE_THRESHOLD = 1, MODE_SCALE_BIAS = 2 };

/* How one call writes its dots: mode, true K and N, output rows, epilogue arrays, column range. */
typedef struct {
  int32_t mode;
  int32_t k;   /* dot = k - 2*popcount(a ^ w) */
  int32_t n;   /* columns >= n are panel padding and are not written */
  uint8_t *out;
  size_t out_stride;
  const uint8_t *p0; /* thresholds (int32) or scales (float) */
  const uint8_t *p1; /* flips (uint8) or biases (float) */
  int32_t c0, c1;    /* column range of this call: [c0, c1) */
} output_t;

/* Binary GEMM rows [row_start, row_end): A row m at a + m*a_stride holds kw64 64-bit words. */
typedef void (*gemm_fn)(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w,
                        int32_t kw64, int32_t row_start, int32_t row_end);

/* 8-bit input rows (bytes, zero past K up to 4*groups) against prepacked ±1 weights: the bit-plane
 * dots without the planes. Returns 0, having written nothing, when it could not allocate. */
typedef int (*byte_gemm_fn)(const output_t *o, const uint8_t *bytes, size_t row_bytes, int32_t groups,
                            const uint8_t *w, int32_t kw64, int32_t row_start, int32_t row_end);

/* The kernels of one instruction set. */
typedef struct {
  const char *name;
  gemm_fn gemm;
  gemm_fn bit_plane_gemm; /* A rows hold 8 planes of kw64 words */
  byte_gemm_fn byte_gemm; /* NULL where the ISA has no byte GEMM (bit-plane layers use planes) */
} isa_kernels_t;

/* Whether a byte GEMM of rows x columns over `groups` groups of 4 bytes costs less than the
 * popcount form over kw64 words of 8 planes (from_planes: its input must first leave the planes). */
int vnni_pays(int64_t rows, int64_t columns, int32_t groups, int32_t kw64, int from_planes);

/* Instruction sets, in the order the JavaScript side names them (index = ISA id). */
enum { ISA_AVX512 = 0, ISA_AVX2 = 1, ISA_SCALAR = 2, ISA_NEON = 3, ISA_COUNT = 4 };
/* Not an id the JavaScript side passes: the kernel table isa_kernels(ISA_AVX512) returns on a CPU
 * with AVX512-VNNI. */
enum { ISA_AVX512_VNNI = ISA_COUNT };

/* Kernels of an ISA, or NULL when this build or this CPU cannot run it. */
const isa_kernels_t *isa_kernels(int isa);
/* Bit i set when ISA i runs here (built in, and the CPU and OS support it). */
uint32_t isa_supported_mask(void);
/* A short description of the CPU (brand string on x86), written into buf. */
void cpu_description(char *buf, size_t size);

/* Epilogue (epilogue.c). */
void clear_output_rows(const output_t *o, int32_t row_start, int32_t row_end);
static inline void emit_dot(const output_t *o, int32_t m, int32_t j, int32_t dot) {
  if (j >= o->n) return;
  uint8_t *row = o->out + (size_t)m * o->out_stride;
  if (o->mode == MODE_DOT) {
    memcpy(row + 4 * (size_t)j, &dot, 4);
  } else if (o->mode == MODE_SCALE_BIAS) {
    float s, b;
    memcpy(&s, o->p0 + 4 * (size_t)j, 4);
    memcpy(&b, o->p1 + 4 * (size_t)j, 4);
    /* Two roundings, as WebAssembly's f32.mul then f32.add (built with -ffp-contract=off). */
    float v = (float)dot * s;
    v = v + b;
    memcpy(row + 4 * (size_t)j, &v, 4);
  } else {
    int32_t t;
    memcpy(&t, o->p0 + 4 * (size_t)j, 4);
    int on = o->p1[j] ? dot <= t : dot >= t;
    if (on) {
      uint8_t *p = row + 4 * (size_t)(j >> 5);
      uint32_t word;
      memcpy(&word, p, 4);
      word |= (uint32_t)1 << (j & 31);
      memcpy(p, &word, 4);
    }
  }
}
/* Emits a 4-column panel's popcounts of row m (columns j..j+3). */
static inline void emit_panel(const output_t *o, int32_t m, int32_t j, const uint64_t pop[4]) {
  for (int c = 0; c < 4; c++) emit_dot(o, m, j + c, o->k - 2 * (int32_t)pop[c]);
}

/* Sum over the 8 planes n of 2^n * popcount(plane n) of a bit-plane row: the sum of its 8-bit
 * inputs, which the bit-plane dot subtracts (gemm-scalar.c). */
int64_t plane_row_sum(const uint8_t *x, int32_t kw64);

/* Portable kernels (layout.c, gemm-scalar.c). */
void im2col(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
            int32_t wpp, int32_t kh, int32_t kw, int32_t stride, int32_t pad_top, int32_t pad_left,
            int32_t out_h, int32_t out_w, uint32_t last_mask, uint8_t *dst, size_t dst_stride);
void max_pool(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
              int32_t wpp, int32_t ph, int32_t pw, int32_t stride, int32_t pad_top, int32_t pad_left,
              int32_t out_h, int32_t out_w, uint8_t *dst);
void im2col_planes(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
                   int32_t channels, int32_t kh, int32_t kw, int32_t stride_h, int32_t stride_w,
                   int32_t pad_top, int32_t pad_left, int32_t out_h, int32_t out_w, uint8_t pad,
                   uint8_t *dst, size_t dst_stride, int32_t kw64);
void im2col_bytes(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
                  int32_t channels, int32_t kh, int32_t kw, int32_t stride_h, int32_t stride_w,
                  int32_t pad_top, int32_t pad_left, int32_t out_h, int32_t out_w, uint8_t pad,
                  uint8_t *dst, size_t dst_stride, size_t row_bytes);
void pack_signs(int32_t row_start, int32_t row_end, const uint8_t *src, size_t src_stride,
                int32_t cols, uint8_t *dst, size_t dst_stride);

static inline uint64_t load_u64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

#endif
