/* AVX2 binary GEMM: one 256-bit weight load is one K word of a 4-column panel, XORed with the A
 * word broadcast; popcount by nibble table (VPSHUFB), byte counts accumulated for up to 31 words
 * and then summed into 64-bit lanes with VPSADBW. Register tile: 2 rows x 2 panels. */
#include "kernels.h"
#include "target.h"
#ifdef ONEBIT_X86
#include <immintrin.h>

#define TILE_ROWS 2
#define TILE_PANELS 2
/* A byte count grows by at most 8 per word: 31 words keep it under 256. */
#define BYTE_RUN 31

static ALWAYS_INLINE TARGET_AVX2 __m256i popcount_bytes(__m256i v, __m256i table, __m256i low) {
  const __m256i lo = _mm256_and_si256(v, low);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
}

static ALWAYS_INLINE TARGET_AVX2 void tile(const output_t *o, const uint8_t *a, size_t a_stride,
                                           const uint8_t *w, int32_t kw64, int32_t m, int32_t p,
                                           const int R, const int P) {
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1,
                                         2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  __m256i acc[TILE_ROWS][TILE_PANELS];
  for (int r = 0; r < R; r++)
    for (int q = 0; q < P; q++) acc[r][q] = _mm256_setzero_si256();
  const size_t panel_bytes = (size_t)kw64 * 32;
  const uint8_t *ar[TILE_ROWS];
  const uint8_t *wq[TILE_PANELS];
  for (int r = 0; r < R; r++) ar[r] = a + (size_t)(m + r) * a_stride;
  for (int q = 0; q < P; q++) wq[q] = w + (size_t)(p + q) * panel_bytes;
  for (int32_t t0 = 0; t0 < kw64; t0 += BYTE_RUN) {
    const int32_t t1 = kw64 - t0 < BYTE_RUN ? kw64 : t0 + BYTE_RUN;
    __m256i bytes[TILE_ROWS][TILE_PANELS];
    for (int r = 0; r < R; r++)
      for (int q = 0; q < P; q++) bytes[r][q] = _mm256_setzero_si256();
    for (int32_t t = t0; t < t1; t++) {
      __m256i av[TILE_ROWS];
      for (int r = 0; r < R; r++) av[r] = _mm256_set1_epi64x((long long)load_u64(ar[r] + 8 * (size_t)t));
      for (int q = 0; q < P; q++) {
        const __m256i wv = _mm256_loadu_si256((const void *)(wq[q] + 32 * (size_t)t));
        for (int r = 0; r < R; r++)
          bytes[r][q] = _mm256_add_epi8(bytes[r][q], popcount_bytes(_mm256_xor_si256(wv, av[r]), table, low));
      }
    }
    for (int r = 0; r < R; r++)
      for (int q = 0; q < P; q++)
        acc[r][q] = _mm256_add_epi64(acc[r][q], _mm256_sad_epu8(bytes[r][q], _mm256_setzero_si256()));
  }
  for (int r = 0; r < R; r++)
    for (int q = 0; q < P; q++) {
      uint64_t pop[4];
      _mm256_storeu_si256((void *)pop, acc[r][q]);
      emit_panel(o, m + r, (p + q) * 4, pop);
    }
}

#define TILE_CASE(R, P) \
  case (R) * 8 + (P):   \
    tile(o, a, a_stride, w, kw64, m, p, R, P); \
    break;

TARGET_AVX2 void gemm_avx2(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w,
                           int32_t kw64, int32_t row_start, int32_t row_end) {
  clear_output_rows(o, row_start, row_end);
  const int32_t p0 = o->c0 >> 2, p1 = (o->c1 + 3) >> 2;
  for (int32_t p = p0; p < p1; p += TILE_PANELS) {
    const int np = p1 - p < TILE_PANELS ? p1 - p : TILE_PANELS;
    for (int32_t m = row_start; m < row_end; m += TILE_ROWS) {
      const int nr = row_end - m < TILE_ROWS ? row_end - m : TILE_ROWS;
      switch (nr * 8 + np) {
        TILE_CASE(1, 1) TILE_CASE(1, 2) TILE_CASE(2, 1) TILE_CASE(2, 2)
        default: break;
      }
    }
  }
}
#endif
