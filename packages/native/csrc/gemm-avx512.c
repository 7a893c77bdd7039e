/* AVX-512 GEMMs: one 512-bit weight load covers two K words of a 4-column panel, combined with the
 * A row's two words broadcast to match (XOR for the binary GEMM, AND per bit plane for the 8-bit
 * first layer), then VPOPCNTQ and a 64-bit add. Register tile: up to 4 rows x 4 panels
 * (16 accumulators), so each weight load serves 4 rows and each A load 16 columns. */
#include "kernels.h"
#include "target.h"
#ifdef ONEBIT_X86
#include <immintrin.h>

#include "emit-avx512.h"

/* Measured on the development machine (Xeon, Sapphire Rapids class, best of 25 interleaved runs):
 * 4x4, 2x8, 8x2, 3x6, 6x3 and 1x8 all reach 555-620 G binary-MAC/s at 64x4096x4096 and 16x4096x4096;
 * the loop is bound by the vector ALU ports (XOR, VPOPCNTQ, add per 512 MACs), not by loads. */
#define TILE_ROWS 4
#define TILE_PANELS 4
_Static_assert(TILE_PANELS <= 4, "a tile row's dots must fit one 16-lane vector");

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

/* A panel accumulator's 4 popcounts (its two K-word halves summed), narrowed to 32 bits. */
static ALWAYS_INLINE TARGET_AVX512 __m128i panel_counts(__m512i acc) {
  return _mm256_cvtepi64_epi32(_mm256_add_epi64(_mm512_castsi512_si256(acc), _mm512_extracti64x4_epi64(acc, 1)));
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
  } else if (kw64 == 1) {
    /* One word per plane (K <= 64, most first layers): a row's 8 planes are 8 consecutive words, so
     * planes 2i and 2i+1 fill the two halves of a vector as two K words do in the binary GEMM, each
     * half shifted by its plane; the weight panel is the same for both halves. */
    const __m512i pairs = _mm512_set_epi64(1, 1, 1, 1, 0, 0, 0, 0);
    __m512i wv[TILE_PANELS];
    for (int q = 0; q < P; q++) wv[q] = _mm512_broadcast_i64x4(_mm256_loadu_si256((const void *)wq[q]));
    for (int i = 0; i < 4; i++) {
      const __m512i shift = _mm512_add_epi64(pairs, _mm512_set1_epi64(2 * i));
      for (int r = 0; r < R; r++) {
        const __m512i av = _mm512_permutexvar_epi64(
            pairs, _mm512_castsi128_si512(_mm_loadu_si128((const void *)(a + (size_t)(m + r) * a_stride + 16 * (size_t)i))));
        for (int q = 0; q < P; q++)
          total[r][q] = _mm512_add_epi64(total[r][q], _mm512_sllv_epi64(_mm512_popcnt_epi64(_mm512_and_si512(wv[q], av)), shift));
      }
    }
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
    const int32_t row_sum = bit_planes ? (int32_t)plane_row_sum(a + (size_t)(m + r) * a_stride, kw64) : 0;
    /* Each panel's two K-word halves summed and narrowed: lanes 4q..4q+3 hold panel q's 4 popcounts
     * (truncated to 32 bits, as the scalar epilogue's int32 arithmetic). */
    __m512i pops = _mm512_zextsi128_si512(panel_counts(total[r][0]));
    if (P > 1) pops = _mm512_inserti32x4(pops, panel_counts(total[r][1]), 1);
    if (P > 2) pops = _mm512_inserti32x4(pops, panel_counts(total[r][2]), 2);
    if (P > 3) pops = _mm512_inserti32x4(pops, panel_counts(total[r][3]), 3);
    const __m512i dots = bit_planes ? _mm512_sub_epi32(_mm512_slli_epi32(pops, 1), _mm512_set1_epi32(row_sum))
                                    : _mm512_sub_epi32(_mm512_set1_epi32(o->k), _mm512_slli_epi32(pops, 1));
    emit_dots16(o, m + r, p * 4, 4 * P, dots);
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
