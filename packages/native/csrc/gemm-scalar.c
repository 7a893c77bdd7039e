/* Scalar kernels: 64-bit XOR/AND + POPCNT (x86) or the compiler's popcount (elsewhere). The binary
 * GEMM is the fallback path; the bit-plane GEMM serves every ISA (first layers have small K). */
#include "kernels.h"
#include "target.h"

/* Rows per block of the panel-outer loop: keeps a block of A in L1 while a panel streams once. */
#define ROW_BLOCK 32

TARGET_POPCNT void gemm_scalar(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w,
                               int32_t kw64, int32_t row_start, int32_t row_end) {
  clear_output_rows(o, row_start, row_end);
  const int32_t p0 = o->c0 >> 2, p1 = (o->c1 + 3) >> 2;
  for (int32_t m0 = row_start; m0 < row_end; m0 += ROW_BLOCK) {
    const int32_t m1 = m0 + ROW_BLOCK < row_end ? m0 + ROW_BLOCK : row_end;
    for (int32_t p = p0; p < p1; p++) {
      const uint8_t *wp = w + (size_t)p * (size_t)kw64 * 32;
      for (int32_t m = m0; m < m1; m++) {
        const uint8_t *pa = a + (size_t)m * a_stride;
        uint64_t c[4] = {0, 0, 0, 0};
        for (int32_t t = 0; t < kw64; t++) {
          const uint64_t x = load_u64(pa + 8 * (size_t)t);
          const uint8_t *q = wp + 32 * (size_t)t;
          c[0] += (uint64_t)__builtin_popcountll(load_u64(q) ^ x);
          c[1] += (uint64_t)__builtin_popcountll(load_u64(q + 8) ^ x);
          c[2] += (uint64_t)__builtin_popcountll(load_u64(q + 16) ^ x);
          c[3] += (uint64_t)__builtin_popcountll(load_u64(q + 24) ^ x);
        }
        emit_panel(o, m, p * 4, c);
      }
    }
  }
}

/* Sum over planes n of 2^n * popcount(plane n): the row sum the bit-plane dot subtracts. */
TARGET_POPCNT int64_t plane_row_sum(const uint8_t *x, int32_t kw64) {
  int64_t total = 0;
  for (int n = 0; n < 8; n++) {
    int64_t s = 0;
    const uint8_t *p = x + (size_t)n * (size_t)kw64 * 8;
    for (int32_t t = 0; t < kw64; t++) s += __builtin_popcountll(load_u64(p + 8 * (size_t)t));
    total += s << n;
  }
  return total;
}

/* Bit-plane (8-bit input) GEMM rows: dot = 2*sum_n 2^n*popcount(x_n & w) - sum_k x[k]. */
TARGET_POPCNT void bit_plane_gemm_scalar(const output_t *o, const uint8_t *x, size_t x_stride,
                                         const uint8_t *w, int32_t kw64, int32_t row_start,
                                         int32_t row_end) {
  clear_output_rows(o, row_start, row_end);
  const int32_t p0 = o->c0 >> 2, p1 = (o->c1 + 3) >> 2;
  const size_t plane_bytes = (size_t)kw64 * 8;
  for (int32_t m = row_start; m < row_end; m++) {
    const uint8_t *row = x + (size_t)m * x_stride;
    const int64_t row_sum = plane_row_sum(row, kw64);
    for (int32_t p = p0; p < p1; p++) {
      const uint8_t *wp = w + (size_t)p * (size_t)kw64 * 32;
      int64_t s[4] = {0, 0, 0, 0};
      for (int plane = 0; plane < 8; plane++) {
        const uint8_t *pa = row + (size_t)plane * plane_bytes;
        int64_t c[4] = {0, 0, 0, 0};
        for (int32_t t = 0; t < kw64; t++) {
          const uint64_t xw = load_u64(pa + 8 * (size_t)t);
          const uint8_t *q = wp + 32 * (size_t)t;
          for (int k = 0; k < 4; k++) c[k] += __builtin_popcountll(load_u64(q + 8 * k) & xw);
        }
        for (int k = 0; k < 4; k++) s[k] += c[k] << plane;
      }
      for (int k = 0; k < 4; k++) emit_dot(o, m, p * 4 + k, (int32_t)(2 * s[k] - row_sum));
    }
  }
}
