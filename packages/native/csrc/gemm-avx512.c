/* AVX-512 GEMMs: one 512-bit weight load covers two K words of a 4-column panel, combined with the
 * A row's two words broadcast to match (XOR for the binary GEMM, AND per bit plane for the 8-bit
 * first layer), then VPOPCNTQ and a 64-bit add. Register tile: up to 4 rows x 4 panels
 * (16 accumulators), so each weight load serves 4 rows and each A load 16 columns. */
#include "kernels.h"
#include "target.h"
#ifdef ONEBIT_X86
#include <immintrin.h>

/* Measured on the development machine (Xeon, Sapphire Rapids class, best of 25 interleaved runs):
 * 4x4, 2x8, 8x2, 3x6, 6x3 and 1x8 all reach 555-620 G binary-MAC/s at 64x4096x4096 and 16x4096x4096;
 * the loop is bound by the vector ALU ports (XOR, VPOPCNTQ, add per 512 MACs), not by loads. */
#define TILE_ROWS 4
#define TILE_PANELS 4

/* Popcounts of A words [plane*kw64, plane*kw64 + kw64) of R rows against P panels, added to acc. */
static ALWAYS_INLINE TARGET_AVX512 void accumulate(__m512i acc[TILE_ROWS][TILE_PANELS], const uint8_t *const ar[TILE_ROWS],
                                                   const uint8_t *const wq[TILE_PANELS], int32_t kw64, const int R,
                                                   const int P, const int bit_planes) {
  /* Lanes 0-3 take A word t, lanes 4-7 word t+1: the panel's word-major layout. */
  const __m512i pairs = _mm512_set_epi64(1, 1, 1, 1, 0, 0, 0, 0);
  int32_t t = 0;
  for (; t + 2 <= kw64; t += 2) {
    __m512i av[TILE_ROWS];
    for (int r = 0; r < R; r++)
      av[r] = _mm512_permutexvar_epi64(pairs, _mm512_castsi128_si512(_mm_loadu_si128((const void *)(ar[r] + 8 * (size_t)t))));
    for (int q = 0; q < P; q++) {
      const __m512i wv = _mm512_loadu_si512((const void *)(wq[q] + 32 * (size_t)t));
      for (int r = 0; r < R; r++) {
        const __m512i v = bit_planes ? _mm512_and_si512(wv, av[r]) : _mm512_xor_si512(wv, av[r]);
        acc[r][q] = _mm512_add_epi64(acc[r][q], _mm512_popcnt_epi64(v));
      }
    }
  }
  if (t < kw64) { /* an odd word count: the last word alone, upper lanes zero on both sides */
    __m512i av[TILE_ROWS];
    for (int r = 0; r < R; r++)
      av[r] = _mm512_maskz_permutexvar_epi64(0x0F, pairs, _mm512_castsi128_si512(_mm_loadl_epi64((const void *)(ar[r] + 8 * (size_t)t))));
    for (int q = 0; q < P; q++) {
      const __m512i wv = _mm512_maskz_loadu_epi64(0x0F, (const void *)(wq[q] + 32 * (size_t)t));
      for (int r = 0; r < R; r++) {
        const __m512i v = bit_planes ? _mm512_and_si512(wv, av[r]) : _mm512_xor_si512(wv, av[r]);
        acc[r][q] = _mm512_add_epi64(acc[r][q], _mm512_popcnt_epi64(v));
      }
    }
  }
}

/* One R x P tile: binary dots, or bit-plane dots (2 * sum_n 2^n * popcount(x_n & w) - row sum). */
static ALWAYS_INLINE TARGET_AVX512 void tile(const output_t *o, const uint8_t *a, size_t a_stride,
                                             const uint8_t *w, int32_t kw64, int32_t m, int32_t p,
                                             const int R, const int P, const int bit_planes) {
  __m512i total[TILE_ROWS][TILE_PANELS];
  const uint8_t *ar[TILE_ROWS];
  const uint8_t *wq[TILE_PANELS];
  for (int q = 0; q < P; q++) wq[q] = w + (size_t)(p + q) * (size_t)kw64 * 32;
  for (int r = 0; r < R; r++)
    for (int q = 0; q < P; q++) total[r][q] = _mm512_setzero_si512();
  if (!bit_planes) {
    for (int r = 0; r < R; r++) ar[r] = a + (size_t)(m + r) * a_stride;
    accumulate(total, ar, wq, kw64, R, P, 0);
  } else {
    for (int plane = 0; plane < 8; plane++) {
      __m512i acc[TILE_ROWS][TILE_PANELS];
      for (int r = 0; r < R; r++) {
        ar[r] = a + (size_t)(m + r) * a_stride + (size_t)plane * (size_t)kw64 * 8;
        for (int q = 0; q < P; q++) acc[r][q] = _mm512_setzero_si512();
      }
      accumulate(acc, ar, wq, kw64, R, P, 1);
      for (int r = 0; r < R; r++)
        for (int q = 0; q < P; q++) total[r][q] = _mm512_add_epi64(total[r][q], _mm512_slli_epi64(acc[r][q], (unsigned)plane));
    }
  }
  for (int r = 0; r < R; r++) {
    const int64_t row_sum = bit_planes ? plane_row_sum(a + (size_t)(m + r) * a_stride, kw64) : 0;
    for (int q = 0; q < P; q++) {
      uint64_t pop[4];
      const __m256i s = _mm256_add_epi64(_mm512_castsi512_si256(total[r][q]), _mm512_extracti64x4_epi64(total[r][q], 1));
      _mm256_storeu_si256((void *)pop, s);
      if (!bit_planes) emit_panel(o, m + r, (p + q) * 4, pop);
      else
        for (int c = 0; c < 4; c++) emit_dot(o, m + r, (p + q) * 4 + c, (int32_t)(2 * (int64_t)pop[c] - row_sum));
    }
  }
}

/* Full tiles where they fit; leftover rows one at a time across the full panel width, leftover
 * panels one at a time: four shapes, each specialized at compile time so its accumulators live in
 * registers. */
static ALWAYS_INLINE TARGET_AVX512 void tiles(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w,
                                              int32_t kw64, int32_t row_start, int32_t row_end, const int bit_planes) {
  clear_output_rows(o, row_start, row_end);
  const int32_t p0 = o->c0 >> 2, p1 = (o->c1 + 3) >> 2;
  int32_t p = p0;
  for (; p + TILE_PANELS <= p1; p += TILE_PANELS) {
    int32_t m = row_start;
    for (; m + TILE_ROWS <= row_end; m += TILE_ROWS) tile(o, a, a_stride, w, kw64, m, p, TILE_ROWS, TILE_PANELS, bit_planes);
    for (; m < row_end; m++) tile(o, a, a_stride, w, kw64, m, p, 1, TILE_PANELS, bit_planes);
  }
  for (; p < p1; p++) {
    int32_t m = row_start;
    for (; m + TILE_ROWS <= row_end; m += TILE_ROWS) tile(o, a, a_stride, w, kw64, m, p, TILE_ROWS, 1, bit_planes);
    for (; m < row_end; m++) tile(o, a, a_stride, w, kw64, m, p, 1, 1, bit_planes);
  }
}

TARGET_AVX512 void gemm_avx512(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w, int32_t kw64,
                               int32_t row_start, int32_t row_end) {
  tiles(o, a, a_stride, w, kw64, row_start, row_end, 0);
}

TARGET_AVX512 void bit_plane_gemm_avx512(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w,
                                         int32_t kw64, int32_t row_start, int32_t row_end) {
  tiles(o, a, a_stride, w, kw64, row_start, row_end, 1);
}
#endif
