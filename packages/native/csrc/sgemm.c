/* The blocked float GEMM driver (the Goto/BLIS loop order): for each NC-column block of B and each
 * KC-deep slice, pack op(B) into NR-wide panels (L3), then for each MC-row block pack alpha·op(A)
 * into MR-tall panels (L2) and run the register-tile micro-kernel over every MR×NR tile of C.
 * Packing absorbs the transpositions and the edges (panels are zero-padded), so each ISA supplies
 * only a micro-kernel. Buffers are allocated per call: no global mutable state (worker threads). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "parallel.h"
#include "sgemm.h"
#include "target.h"

/* KC·NR floats of a B panel stay in L1, MC·KC of A in L2 (2 MiB on the development machine). */
#define KC 256
#define MC 144 /* a multiple of every MR below */
#define NC 4096

static void sgemm_micro_scalar(int32_t kc, const float *a, const float *b, float *c, size_t ldc, int32_t mr,
                               int32_t nr, int store) {
  enum { MR = 4, NR = 8 };
  float acc[SGEMM_MAX_MR * SGEMM_MAX_NR] = {0};
  for (int32_t p = 0; p < kc; p++)
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) acc[i * SGEMM_MAX_NR + j] += a[p * MR + i] * b[p * NR + j];
  sgemm_add_tile(acc, c, ldc, mr, nr, store);
}

#ifdef ONEBIT_X86
void sgemm_micro_avx512(int32_t, const float *, const float *, float *, size_t, int32_t, int32_t, int);
void sgemm_micro_avx2(int32_t, const float *, const float *, float *, size_t, int32_t, int32_t, int);
#endif

static const sgemm_isa_t SGEMM[ISA_COUNT] = {
#ifdef ONEBIT_X86
    [ISA_AVX512] = {"avx512", 12, 32, sgemm_micro_avx512},
    [ISA_AVX2] = {"avx2", 6, 16, sgemm_micro_avx2},
#endif
    [ISA_SCALAR] = {"scalar", 4, 8, sgemm_micro_scalar},
    /* NEON: no float micro-kernel yet; aarch64 runs the scalar one (see README). */
};

uint32_t sgemm_supported_mask(void) {
  uint32_t mask = 1u << ISA_SCALAR;
#ifdef ONEBIT_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) mask |= 1u << ISA_AVX2;
  if (__builtin_cpu_supports("avx512f")) mask |= 1u << ISA_AVX512;
#endif
  return mask;
}

const sgemm_isa_t *sgemm_isa(int isa) {
  if (isa < 0 || isa >= ISA_COUNT || !(sgemm_supported_mask() & (1u << isa))) return NULL;
  return SGEMM[isa].kernel ? &SGEMM[isa] : NULL;
}

/* Rows [i0, i0+mc) × depth [p0, p0+kc) of alpha·op(A) into MR-tall panels: panel r, step p, row i at
 * dst[(r*kc + p)*MR + i]; rows past m are zero. */
static void pack_a(const float *a, int32_t m, int32_t k, int trans, float alpha, int32_t i0, int32_t mc,
                   int32_t p0, int32_t kc, int32_t mr, float *dst) {
  for (int32_t r = 0; r < mc; r += mr) {
    float *panel = dst + (size_t)r * kc;
    const int32_t rows = mc - r < mr ? mc - r : mr;
    if (rows < mr) memset(panel, 0, sizeof(float) * (size_t)kc * mr);
    for (int32_t i = 0; i < rows; i++) {
      const int32_t row = i0 + r + i;
      if (trans) {
        const float *src = a + (size_t)p0 * m + row;
        for (int32_t p = 0; p < kc; p++) panel[p * mr + i] = alpha * src[(size_t)p * m];
      } else {
        const float *src = a + (size_t)row * k + p0;
        for (int32_t p = 0; p < kc; p++) panel[p * mr + i] = alpha * src[p];
      }
    }
  }
}

/* Depth [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-wide panels: panel q, step p, column j at
 * dst[(q*kc + p)*NR + j]; columns past n are zero. */
static void pack_b(const float *b, int32_t n, int32_t k, int trans, int32_t p0, int32_t kc, int32_t j0,
                   int32_t nc, int32_t nr, float *dst) {
  for (int32_t q = 0; q < nc; q += nr) {
    float *panel = dst + (size_t)q * kc;
    const int32_t cols = nc - q < nr ? nc - q : nr;
    if (trans) {
      if (cols < nr) memset(panel, 0, sizeof(float) * (size_t)kc * nr);
      for (int32_t j = 0; j < cols; j++) {
        const float *src = b + (size_t)(j0 + q + j) * k + p0;
        for (int32_t p = 0; p < kc; p++) panel[p * nr + j] = src[p];
      }
    } else {
      for (int32_t p = 0; p < kc; p++) {
        const float *src = b + (size_t)(p0 + p) * n + j0 + q;
        float *row = panel + (size_t)p * nr;
        memcpy(row, src, sizeof(float) * (size_t)cols);
        if (cols < nr) memset(row + cols, 0, sizeof(float) * (size_t)(nr - cols));
      }
    }
  }
}

static int32_t round_up(int32_t x, int32_t to) { return (x + to - 1) / to * to; }

/* One block of the product: C (m×n, rows ldc apart) = alpha·op(A)·op(B) + beta·C, where op(A)'s row i
 * and op(B)'s column j start at a and b; a_stride is A's row length when trans_a (else k), b_stride
 * B's row length when not trans_b (else k). */
static int sgemm_block(const sgemm_isa_t *isa, const float *a, int32_t a_stride, const float *b, int32_t b_stride,
                       float *c, size_t ldc, int32_t m, int32_t n, int32_t k, int trans_a, int trans_b, float alpha,
                       float beta) {
  const int32_t mr = isa->mr, nr = isa->nr;
  const int multiply = k > 0 && alpha != 0;
  const int32_t nc_max = n < NC ? round_up(n, nr) : NC;
  const int32_t kc_max = k < KC ? k : KC;
  float *bp = NULL, *ap = NULL;
  if (multiply && m > 0 && n > 0) {
    bp = aligned_alloc(64, (size_t)round_up(nc_max * kc_max * (int32_t)sizeof(float), 64));
    ap = aligned_alloc(64, (size_t)round_up(MC * kc_max * (int32_t)sizeof(float), 64));
    if (!bp || !ap) {
      free(bp);
      free(ap);
      return 0;
    }
  }
  /* beta = 0 overwrites C, ignoring its old contents (even NaN), as in BLAS: with a product, the
   * first depth slice stores its tiles (no clearing pass), else C is cleared. */
  const int store_first = beta == 0 && bp;
  for (int32_t i = 0; i < m && !store_first; i++) {
    float *row = c + (size_t)i * ldc;
    if (beta == 0) memset(row, 0, sizeof(float) * (size_t)n);
    else if (beta != 1)
      for (int32_t j = 0; j < n; j++) row[j] *= beta;
  }
  if (!bp) return 1;
  for (int32_t jc = 0; jc < n; jc += NC) {
    const int32_t nc = n - jc < NC ? n - jc : NC;
    for (int32_t pc = 0; pc < k; pc += KC) {
      const int32_t kc = k - pc < KC ? k - pc : KC;
      pack_b(b, b_stride, k, trans_b, pc, kc, jc, nc, nr, bp);
      for (int32_t ic = 0; ic < m; ic += MC) {
        const int32_t mc = m - ic < MC ? m - ic : MC;
        pack_a(a, a_stride, k, trans_a, alpha, ic, mc, pc, kc, mr, ap);
        for (int32_t jr = 0; jr < nc; jr += nr) {
          const int32_t cols = nc - jr < nr ? nc - jr : nr;
          for (int32_t ir = 0; ir < mc; ir += mr) {
            const int32_t rows = mc - ir < mr ? mc - ir : mr;
            isa->kernel(kc, ap + (size_t)ir * kc, bp + (size_t)jr * kc, c + (size_t)(ic + ir) * ldc + jc + jr, ldc,
                        rows, cols, store_first && pc == 0);
          }
        }
      }
    }
  }
  free(bp);
  free(ap);
  return 1;
}

/* The product's operands; threads take bands of C: rows [lo, hi) when by_rows, else columns. */
typedef struct {
  const sgemm_isa_t *isa;
  const float *a, *b;
  float *c;
  int32_t m, n, k;
  int trans_a, trans_b, by_rows;
  float alpha, beta;
  atomic_int failed; /* a band could not allocate its packing buffers */
} product_t;

static void run_band(void *arg, int64_t lo, int64_t hi) {
  product_t *s = arg;
  const int32_t count = (int32_t)(hi - lo);
  int ok;
  if (s->by_rows) {
    const float *a = s->trans_a ? s->a + lo : s->a + (size_t)lo * s->k;
    ok = sgemm_block(s->isa, a, s->trans_a ? s->m : s->k, s->b, s->trans_b ? s->k : s->n, s->c + (size_t)lo * s->n,
                     (size_t)s->n, count, s->n, s->k, s->trans_a, s->trans_b, s->alpha, s->beta);
  } else {
    const float *b = s->trans_b ? s->b + (size_t)lo * s->k : s->b + lo;
    ok = sgemm_block(s->isa, s->a, s->trans_a ? s->m : s->k, b, s->trans_b ? s->k : s->n, s->c + lo, (size_t)s->n,
                     s->m, count, s->k, s->trans_a, s->trans_b, s->alpha, s->beta);
  }
  if (!ok) atomic_store(&s->failed, 1);
}

int sgemm_run(const sgemm_isa_t *isa, const float *a, const float *b, float *c, int32_t m, int32_t n, int32_t k,
              int trans_a, int trans_b, float alpha, float beta, int32_t threads) {
  /* Threads split C into bands of whole register tiles (rows when M has enough of them, else
   * columns); every element sees the same operations as on one thread: bit-identical results. */
  const int by_rows = m / isa->mr >= n / isa->nr;
  const int32_t extent = by_rows ? m : n, unit = by_rows ? isa->mr : isa->nr;
  int32_t count = threads < SGEMM_MAX_THREADS ? threads : SGEMM_MAX_THREADS;
  if ((double)m * n * k < SGEMM_THREAD_MIN_MACS) count = 1;
  if (count > extent / unit) count = extent / unit; /* only whole tiles are worth a thread */
  if (count < 1) count = 1;
  product_t p = {.isa = isa, .a = a, .b = b, .c = c, .m = m, .n = n, .k = k, .trans_a = trans_a,
                 .trans_b = trans_b, .by_rows = by_rows, .alpha = alpha, .beta = beta};
  atomic_init(&p.failed, 0);
  parallel_ranges(count, 0, extent, unit, run_band, &p); /* an empty C: nothing runs */
  return !atomic_load(&p.failed);
}
