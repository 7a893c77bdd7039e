/* AVX-512 float micro-kernel: a 12×32 register tile (24 zmm accumulators, two B vectors and one
 * broadcast of A per step: 24 FMAs for 2 loads + 12 broadcasts, enough independent chains to hide
 * the FMA latency on both FMA ports). Edges store through masks. */
#include "sgemm.h"
#include "target.h"
#ifdef ONEBIT_X86
#include <immintrin.h>

#define MR 12
#define NR 32

TARGET_AVX512F void sgemm_micro_avx512(int32_t kc, const float *a, const float *b, float *c, size_t ldc, int32_t mr,
                                       int32_t nr, int store) {
  __m512 acc0[MR], acc1[MR];
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) acc0[i] = acc1[i] = _mm512_setzero_ps();
  for (int32_t p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_load_ps(b + (size_t)p * NR);
    const __m512 b1 = _mm512_load_ps(b + (size_t)p * NR + 16);
    const float *ap = a + (size_t)p * MR;
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      const __m512 ai = _mm512_set1_ps(ap[i]);
      acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
    }
  }
  const __mmask16 m0 = nr >= 16 ? 0xffff : (__mmask16)((1u << nr) - 1);
  const __mmask16 m1 = nr >= 32 ? 0xffff : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) {
    if (i >= mr) break;
    float *row = c + (size_t)i * ldc;
    if (store) {
      _mm512_mask_storeu_ps(row, m0, acc0[i]);
      _mm512_mask_storeu_ps(row + 16, m1, acc1[i]);
      continue;
    }
    _mm512_mask_storeu_ps(row, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(m0, row), acc0[i]));
    _mm512_mask_storeu_ps(row + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(m1, row + 16), acc1[i]));
  }
}
#endif
