/* NEON (aarch64) binary GEMM: a 128-bit weight load holds one K word of two panel columns, XORed
 * with the A word duplicated; CNT per byte, then UADALP pairwise-accumulates bytes into 16-bit
 * lanes, widened to 64 bits every 2048 words (16 bits hold 4095 words of 16 counts). */
#include "kernels.h"
#include "target.h"
#ifdef ONEBIT_NEON
#include <arm_neon.h>

#define TILE_ROWS 2
#define RUN_WORDS 2048

static ALWAYS_INLINE void tile(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w,
                               int32_t kw64, int32_t m, int32_t p, const int R) {
  uint64x2_t acc[TILE_ROWS][2];
  for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = vdupq_n_u64(0);
  const uint8_t *wp = w + (size_t)p * (size_t)kw64 * 32;
  for (int32_t t0 = 0; t0 < kw64; t0 += RUN_WORDS) {
    const int32_t t1 = kw64 - t0 < RUN_WORDS ? kw64 : t0 + RUN_WORDS;
    uint16x8_t s[TILE_ROWS][2];
    for (int r = 0; r < R; r++) s[r][0] = s[r][1] = vdupq_n_u16(0);
    for (int32_t t = t0; t < t1; t++) {
      const uint8x16_t w01 = vld1q_u8(wp + 32 * (size_t)t);
      const uint8x16_t w23 = vld1q_u8(wp + 32 * (size_t)t + 16);
      for (int r = 0; r < R; r++) {
        const uint8x16_t x = vreinterpretq_u8_u64(vdupq_n_u64(load_u64(a + (size_t)(m + r) * a_stride + 8 * (size_t)t)));
        s[r][0] = vpadalq_u8(s[r][0], vcntq_u8(veorq_u8(w01, x)));
        s[r][1] = vpadalq_u8(s[r][1], vcntq_u8(veorq_u8(w23, x)));
      }
    }
    for (int r = 0; r < R; r++)
      for (int h = 0; h < 2; h++) acc[r][h] = vaddq_u64(acc[r][h], vpaddlq_u32(vpaddlq_u16(s[r][h])));
  }
  for (int r = 0; r < R; r++) {
    uint64_t pop[4];
    vst1q_u64(pop, acc[r][0]);
    vst1q_u64(pop + 2, acc[r][1]);
    emit_panel(o, m + r, p * 4, pop);
  }
}

void gemm_neon(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w, int32_t kw64,
               int32_t row_start, int32_t row_end) {
  clear_output_rows(o, row_start, row_end);
  const int32_t p0 = o->c0 >> 2, p1 = (o->c1 + 3) >> 2;
  for (int32_t p = p0; p < p1; p++)
    for (int32_t m = row_start; m < row_end; m += TILE_ROWS) {
      if (row_end - m >= 2) tile(o, a, a_stride, w, kw64, m, p, 2);
      else tile(o, a, a_stride, w, kw64, m, p, 1);
    }
}
#endif
