/* Float GEMM for training: C (m×n) = alpha·op(A)·op(B) + beta·C, row-major, as @onebit/tensor's
 * `gemm` (op(A) m×k, A stored k×m when trans_a; op(B) k×n, B stored n×k when trans_b). One blocked
 * driver (sgemm.c) packs A and B into register-tile panels and calls the micro-kernel of an ISA. */
#ifndef ONEBIT_SGEMM_H
#define ONEBIT_SGEMM_H

#include <stddef.h>
#include <stdint.h>

/* Largest register tile of any ISA (bounds the edge buffer of the portable store). */
#define SGEMM_MAX_MR 16
#define SGEMM_MAX_NR 32

/* C[0..mr)[0..nr) += Σ_p a[p*MR + i] · b[p*NR + j] over kc steps of packed panels; C rows ldc apart.
 * With `store`, C = Σ instead (C's old contents unread: the first depth slice of a beta = 0
 * product; the sum starts at +0, so it is never −0 and equals 0 + Σ bit for bit). */
typedef void (*sgemm_micro_fn)(int32_t kc, const float *a, const float *b, float *c, size_t ldc, int32_t mr,
                               int32_t nr, int store);

typedef struct {
  const char *name;
  int32_t mr, nr; /* register tile */
  sgemm_micro_fn kernel;
} sgemm_isa_t;

/* The float kernels of an ISA id (kernels.h's enum), or NULL when this build or CPU cannot run them. */
const sgemm_isa_t *sgemm_isa(int isa);
/* Bit i set when float ISA i runs here (AVX-512F, AVX2+FMA and scalar need no POPCNT). */
uint32_t sgemm_supported_mask(void);

/* More threads than this buy nothing for the products BNN training runs. */
#define SGEMM_MAX_THREADS 64
/* Below this many multiply-adds a product stays on the calling thread (thread start-up costs more). */
#define SGEMM_THREAD_MIN_MACS (2.0 * 1024 * 1024)

/* On `threads` threads (the calling one included). Returns 0 when packing buffers could not be
 * allocated (C is then unspecified), else 1. */
int sgemm_run(const sgemm_isa_t *isa, const float *a, const float *b, float *c, int32_t m, int32_t n, int32_t k,
              int trans_a, int trans_b, float alpha, float beta, int32_t threads);

/* Adds (or with `store` writes) a full mr×nr accumulator tile `acc` (row stride SGEMM_MAX_NR) to the
 * valid part of C. */
static inline void sgemm_add_tile(const float *acc, float *c, size_t ldc, int32_t mr, int32_t nr, int store) {
  for (int32_t i = 0; i < mr; i++)
    for (int32_t j = 0; j < nr; j++) c[i * ldc + j] = store ? acc[i * SGEMM_MAX_NR + j] : c[i * ldc + j] + acc[i * SGEMM_MAX_NR + j];
}

#endif
