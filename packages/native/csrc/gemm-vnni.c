/* Bit-plane (8-bit input) GEMM with AVX-512 VNNI: instead of 8 AND+POPCNT passes, one per plane,
 * the planes of the call's rows are turned back into bytes and multiplied with the weights as ±1
 * bytes by VPDPBUSD (u8 x s8, four products summed per 32-bit lane). The broadcast form: a lane per
 * output column, so four input bytes meet 16 columns in one instruction, and a K of 9 or 25 costs 3
 * or 7 instructions per 16 columns, where the popcount form pays for whole 64-bit words per plane.
 * The dots are the same integers (sum_k x_k * (2 w_k - 1)), so the results are identical.
 * Falls back to the popcount kernel when the weights would cost more to expand than they save
 * (one row against many columns) or when memory for its buffers is short. */
#include <stdlib.h>

#include "kernels.h"
#include "target.h"
#ifdef ONEBIT_X86
#include <immintrin.h>

#include "emit-avx512.h"

#define TARGET_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vpopcntdq,popcnt")))
#define BLOCK_COLUMNS 64 /* 4 vectors of 16 columns: a 4 x 4 register tile with 4 rows */
#define TILE_ROWS 4

void bit_plane_gemm_avx512(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);

/* 4 weight bits -> 4 bytes of +1 (bit set) or -1, as one little-endian int32. */
static int32_t nibble_bytes(unsigned nib) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)((nib >> i) & 1 ? 0x01 : 0xff) << (8 * i);
  return (int32_t)v;
}

/* Row m's planes (8 x kw64 words at x) as bytes: byte k = sum_n bit k of plane n << n. */
static TARGET_VNNI void planes_to_bytes(const uint8_t *x, int32_t kw64, int32_t words, uint8_t *out) {
  for (int32_t t = 0; t < words; t++) {
    __m512i v = _mm512_setzero_si512();
    for (int n = 0; n < 8; n++) {
      const __mmask64 bits = (__mmask64)load_u64(x + ((size_t)n * (size_t)kw64 + (size_t)t) * 8);
      v = _mm512_or_si512(v, _mm512_maskz_mov_epi8(bits, _mm512_set1_epi8((char)(1 << n))));
    }
    _mm512_storeu_si512((void *)(out + 64 * (size_t)t), v);
  }
}

/* R rows x V vectors of 16 columns over `groups` groups of 4 input bytes. */
static ALWAYS_INLINE TARGET_VNNI void tile(const output_t *o, const uint8_t *bytes, size_t row_bytes,
                                           const int32_t *wexp, int32_t groups, int32_t m, int32_t local_m,
                                           int32_t j, int32_t j_end, const int R, const int V) {
  __m512i acc[TILE_ROWS][4];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = _mm512_setzero_si512();
  for (int32_t g = 0; g < groups; g++) {
    const int32_t *wg = wexp + (size_t)g * BLOCK_COLUMNS;
    __m512i wv[4];
    for (int v = 0; v < V; v++) wv[v] = _mm512_loadu_si512((const void *)(wg + 16 * v));
    for (int r = 0; r < R; r++) {
      int32_t four;
      memcpy(&four, bytes + (size_t)(local_m + r) * row_bytes + 4 * (size_t)g, 4);
      const __m512i xb = _mm512_set1_epi32(four);
      for (int v = 0; v < V; v++) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], xb, wv[v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) /* columns up to the call's last panel, as the popcount kernels */
      if (j + 16 * v < j_end) emit_dots16(o, m + r, j + 16 * v, j_end - (j + 16 * v) < 16 ? j_end - (j + 16 * v) : 16, acc[r][v]);
}

static ALWAYS_INLINE TARGET_VNNI void row_tiles(const output_t *o, const uint8_t *bytes, size_t row_bytes,
                                                const int32_t *wexp, int32_t groups, int32_t row_start,
                                                int32_t row_end, int32_t j, int32_t j_end, const int V) {
  int32_t m = row_start;
  for (; m + TILE_ROWS <= row_end; m += TILE_ROWS)
    tile(o, bytes, row_bytes, wexp, groups, m, m - row_start, j, j_end, TILE_ROWS, V);
  for (; m < row_end; m++) tile(o, bytes, row_bytes, wexp, groups, m, m - row_start, j, j_end, 1, V);
}

/* Whether the VNNI form costs less than the popcount form, in vector operations: expanding the
 * weights (a store per 4 columns x group) and converting planes against both loops; one row against
 * a wide layer stays on popcounts. */
int vnni_pays(int64_t rows, int64_t columns, int32_t groups, int32_t kw64, int from_planes) {
  const int64_t vnni = rows * columns * groups / 16 + columns * groups / 4 + (from_planes ? rows * kw64 * 8 : 0);
  const int64_t popcount = rows * (columns / 4) * ((kw64 + 1) / 2) * 8 * 3;
  return vnni < popcount;
}

/* Rows [row_start, row_end) of 8-bit inputs (row m's bytes at bytes + (m - row_start)*row_bytes, zero
 * past K up to 4*groups) against the prepacked ±1 weight panels. 0, having written nothing, when
 * the weights' buffer cannot be allocated. */
TARGET_VNNI int byte_gemm_vnni(const output_t *o, const uint8_t *bytes, size_t row_bytes, int32_t groups,
                               const uint8_t *w, int32_t kw64, int32_t row_start, int32_t row_end) {
  const int32_t p0 = o->c0 >> 2, p1 = (o->c1 + 3) >> 2;
  if (row_end <= row_start || p1 <= p0) return 1;
  int32_t *wexp = malloc((size_t)(groups > 0 ? groups : 1) * BLOCK_COLUMNS * 4);
  if (!wexp) return 0;
  clear_output_rows(o, row_start, row_end);
  int32_t table[16];
  for (unsigned i = 0; i < 16; i++) table[i] = nibble_bytes(i);
  for (int32_t jb = 4 * p0; jb < 4 * p1; jb += BLOCK_COLUMNS) {
    const int32_t block = 4 * p1 - jb < BLOCK_COLUMNS ? 4 * p1 - jb : BLOCK_COLUMNS;
    /* Weights of columns [jb, jb + block) as [group][column] int32s of 4 signed bytes. */
    for (int32_t jj = 0; jj < BLOCK_COLUMNS; jj++) {
      const int32_t j = jb + jj;
      if (jj >= block) {
        for (int32_t g = 0; g < groups; g++) wexp[(size_t)g * BLOCK_COLUMNS + (size_t)jj] = 0;
        continue;
      }
      const uint8_t *col = w + ((size_t)(j >> 2) * (size_t)kw64 * 4 + (size_t)(j & 3)) * 8;
      for (int32_t g = 0; g < groups; g++) {
        const uint64_t word = load_u64(col + (size_t)(g >> 4) * 32);
        wexp[(size_t)g * BLOCK_COLUMNS + (size_t)jj] = table[(word >> (4 * (g & 15))) & 15];
      }
    }
    switch ((block + 15) / 16) {
      case 1: row_tiles(o, bytes, row_bytes, wexp, groups, row_start, row_end, jb, 4 * p1, 1); break;
      case 2: row_tiles(o, bytes, row_bytes, wexp, groups, row_start, row_end, jb, 4 * p1, 2); break;
      case 3: row_tiles(o, bytes, row_bytes, wexp, groups, row_start, row_end, jb, 4 * p1, 3); break;
      default: row_tiles(o, bytes, row_bytes, wexp, groups, row_start, row_end, jb, 4 * p1, 4); break;
    }
  }
  free(wexp);
  return 1;
}

/* `chosen`: fall back to the popcount kernel where it costs less; otherwise always VNNI (tests). */
static TARGET_VNNI void run(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w, int32_t kw64,
                            int32_t row_start, int32_t row_end, int chosen) {
  const int32_t rows = row_end - row_start;
  const int32_t p0 = o->c0 >> 2, p1 = (o->c1 + 3) >> 2;
  if (rows <= 0 || p1 <= p0) return;
  /* The K the rows use: past the last set bit of any plane every byte is zero and adds nothing. */
  int32_t used = 0;
  for (int32_t t = kw64 - 1; t >= 0 && !used; t--) {
    uint64_t any = 0;
    for (int32_t m = row_start; m < row_end; m++)
      for (int n = 0; n < 8; n++) any |= load_u64(a + (size_t)m * a_stride + ((size_t)n * (size_t)kw64 + (size_t)t) * 8);
    if (any) used = 64 * t + 64 - __builtin_clzll(any);
  }
  const int32_t groups = (used + 3) / 4, words = (used + 63) / 64;
  const size_t row_bytes = 64 * (size_t)(words > 0 ? words : 1);
  uint8_t *bytes = !chosen || vnni_pays(rows, 4 * (int64_t)(p1 - p0), groups, kw64, 1)
                       ? malloc((size_t)rows * row_bytes)
                       : NULL;
  if (bytes) {
    for (int32_t m = row_start; m < row_end; m++)
      planes_to_bytes(a + (size_t)m * a_stride, kw64, words, bytes + (size_t)(m - row_start) * row_bytes);
    const int done = byte_gemm_vnni(o, bytes, row_bytes, groups, w, kw64, row_start, row_end);
    free(bytes);
    if (done) return;
  }
  bit_plane_gemm_avx512(o, a, a_stride, w, kw64, row_start, row_end);
}

/* The VNNI path alone (memory permitting), for the tests that force each path. */
TARGET_VNNI void bit_plane_gemm_vnni(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w,
                                     int32_t kw64, int32_t row_start, int32_t row_end) {
  run(o, a, a_stride, w, kw64, row_start, row_end, 0);
}

/* The bit-plane GEMM of the AVX-512 kernel table on a CPU with VNNI: the cheaper of the two paths. */
TARGET_VNNI void bit_plane_gemm_avx512_vnni(const output_t *o, const uint8_t *a, size_t a_stride, const uint8_t *w,
                                            int32_t kw64, int32_t row_start, int32_t row_end) {
  run(o, a, a_stride, w, kw64, row_start, row_end, 1);
}
#endif
