/* AVX2 + FMA float micro-kernel: a 6×16 register tile (12 ymm accumulators, two B vectors, one
 * broadcast: 15 of the 16 registers). Edge tiles go through a buffer. */
#include "sgemm.h"
#include "target.h"
#ifdef ONEBIT_X86
#include <immintrin.h>

#define MR 6
#define NR 16

TARGET_AVX2_FMA void sgemm_micro_avx2(int32_t kc, const float *a, const float *b, float *c, size_t ldc, int32_t mr,
                                      int32_t nr, int store) {
  __m256 acc0[MR], acc1[MR];
#pragma GCC unroll 6
  for (int i = 0; i < MR; i++) acc0[i] = acc1[i] = _mm256_setzero_ps();
  for (int32_t p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b + (size_t)p * NR);
    const __m256 b1 = _mm256_load_ps(b + (size_t)p * NR + 8);
    const float *ap = a + (size_t)p * MR;
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      const __m256 ai = _mm256_broadcast_ss(ap + i);
      acc0[i] = _mm256_fmadd_ps(ai, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(ai, b1, acc1[i]);
    }
  }
  if (mr == MR && nr == NR) {
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      float *row = c + (size_t)i * ldc;
      _mm256_storeu_ps(row, store ? acc0[i] : _mm256_add_ps(_mm256_loadu_ps(row), acc0[i]));
      _mm256_storeu_ps(row + 8, store ? acc1[i] : _mm256_add_ps(_mm256_loadu_ps(row + 8), acc1[i]));
    }
    return;
  }
  float tile[SGEMM_MAX_MR * SGEMM_MAX_NR];
  /* Unrolled, as every loop over the accumulators: otherwise GCC keeps them in memory. */
#pragma GCC unroll 6
  for (int i = 0; i < MR; i++) {
    _mm256_storeu_ps(tile + i * SGEMM_MAX_NR, acc0[i]);
    _mm256_storeu_ps(tile + i * SGEMM_MAX_NR + 8, acc1[i]);
  }
  sgemm_add_tile(tile, c, ldc, mr, nr, store);
}
#endif
