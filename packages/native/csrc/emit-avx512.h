/* The AVX-512 epilogue: up to 16 finished dots of one output row written with vector instructions
 * (shared by the popcount and the VNNI GEMMs). */
#ifndef ONEBIT_EMIT_AVX512_H
#define ONEBIT_EMIT_AVX512_H
#include <immintrin.h>

#include "kernels.h"
#include "target.h"

/* Writes up to 16 finished dots of row m (columns j .. j + width - 1, width a multiple of 4) in one
 * go: the vector form of emit_dot, with the same arithmetic (two float roundings, int32 compares).
 * Threshold bits are ORed into the output words (cleared first by clear_output_rows). */
static ALWAYS_INLINE TARGET_AVX512 void emit_dots16(const output_t *o, int32_t m, int32_t j, const int width,
                                                      __m512i dots) {
  if (j >= o->n) return;
  const int32_t valid = o->n - j < width ? o->n - j : width;
  const __mmask16 keep = (__mmask16)((1u << valid) - 1);
  uint8_t *row = o->out + (size_t)m * o->out_stride;
  if (o->mode == MODE_DOT) {
    _mm512_mask_storeu_epi32(row + 4 * (size_t)j, keep, dots);
  } else if (o->mode == MODE_SCALE_BIAS) {
    const __m512 s = _mm512_maskz_loadu_ps(keep, o->p0 + 4 * (size_t)j);
    const __m512 b = _mm512_maskz_loadu_ps(keep, o->p1 + 4 * (size_t)j);
    const __m512 v = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(dots), s), b);
    _mm512_mask_storeu_ps(row + 4 * (size_t)j, keep, v);
  } else {
    const __m512i t = _mm512_maskz_loadu_epi32(keep, o->p0 + 4 * (size_t)j);
    const __m128i f = _mm_maskz_loadu_epi8(keep, o->p1 + (size_t)j);
    const __mmask16 flip = _mm_test_epi8_mask(f, f);
    const __mmask16 ge = _mm512_cmpge_epi32_mask(dots, t), le = _mm512_cmple_epi32_mask(dots, t);
    const uint64_t bits = (uint64_t)(((ge & ~flip) | (le & flip)) & keep) << (j & 31);
    for (int half = 0; half < 2; half++) { /* a range may straddle two words unless it starts aligned */
      const uint32_t part = (uint32_t)(bits >> (32 * half));
      if (!part) continue;
      uint8_t *p = row + 4 * (size_t)((j >> 5) + half);
      uint32_t word;
      memcpy(&word, p, 4);
      word |= part;
      memcpy(p, &word, 4);
    }
  }
}

#endif
