/* Standalone check that every ISA path the build and CPU offer computes exactly what the scalar
 * path computes (binary and bit-plane GEMM, every epilogue, random shapes). Built without Node.js
 * so the aarch64 NEON path can run under qemu-user (scripts/check-neon.mjs). Exits 1 on a mismatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../csrc/kernels.h"

static uint32_t state = 0x9e3779b9u;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

static void fill(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)next();
}

/* One shape in one mode on one ISA; 0 when it matches the scalar path byte for byte. */
static int check(const isa_kernels_t *isa, const isa_kernels_t *ref, int mode, int bit_planes, int32_t m, int32_t n,
                 int32_t kw64, int saturate, int columns) {
  const size_t row_bytes = (size_t)kw64 * 8 * (bit_planes ? 8 : 1);
  const int32_t panels = (n + 3) / 4;
  const size_t out_stride = mode == MODE_THRESHOLD ? (size_t)((n + 127) / 128) * 16 : (size_t)n * 4;
  uint8_t *a = malloc(row_bytes * (size_t)m + 1), *w = malloc((size_t)panels * (size_t)kw64 * 32 + 1);
  uint8_t *p0 = malloc((size_t)n * 4 + 1), *p1 = malloc((size_t)n * 4 + 1);
  uint8_t *out = malloc(out_stride * (size_t)m + 1), *expected = malloc(out_stride * (size_t)m + 1);
  fill(a, row_bytes * (size_t)m);
  fill(w, (size_t)panels * (size_t)kw64 * 32);
  if (saturate) { /* every bit counts: the largest popcounts the accumulators must hold */
    memset(a, bit_planes ? 0xff : 0x00, row_bytes * (size_t)m);
    memset(w, 0xff, (size_t)panels * (size_t)kw64 * 32);
  }
  for (int32_t j = 0; j < n; j++) {
    if (mode == MODE_THRESHOLD) {
      const int32_t t = (int32_t)(next() % 129) - 64;
      memcpy(p0 + 4 * (size_t)j, &t, 4);
      p1[j] = (uint8_t)(next() & 1);
    } else {
      const float s = (float)((int32_t)next()) / 1e9f, b = (float)((int32_t)next()) / 1e7f;
      memcpy(p0 + 4 * (size_t)j, &s, 4);
      memcpy(p1 + 4 * (size_t)j, &b, 4);
    }
  }
  output_t o = {mode, kw64 * 64 - 3, n, out, out_stride, p0, p1, 0, n};
  if (columns) { /* a column range, as a thread's slice: bounds on the mode's unit, or N */
    const int32_t unit = mode == MODE_THRESHOLD ? 32 : 4, units = (n + unit - 1) / unit;
    o.c0 = unit * (int32_t)(next() % (uint32_t)units);
    o.c1 = o.c0 + unit * (1 + (int32_t)(next() % (uint32_t)units));
    if (o.c1 > n) o.c1 = n;
  }
  memset(out, 0xa5, out_stride * (size_t)m);
  memset(expected, 0xa5, out_stride * (size_t)m);
  (bit_planes ? isa->bit_plane_gemm : isa->gemm)(&o, a, row_bytes, w, kw64, 0, m);
  o.out = expected;
  (bit_planes ? ref->bit_plane_gemm : ref->gemm)(&o, a, row_bytes, w, kw64, 0, m);
  const int bad = memcmp(out, expected, out_stride * (size_t)m) != 0;
  if (bad)
    fprintf(stderr, "%s %s mode %d: M=%d N=%d kw64=%d differs from scalar\n", isa->name, bit_planes ? "bit-plane" : "gemm",
            mode, m, n, kw64);
  free(a), free(w), free(p0), free(p1), free(out), free(expected);
  return bad;
}

#if defined(__x86_64__)
void bit_plane_gemm_avx512(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
void bit_plane_gemm_vnni(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
/* The two bit-plane paths of the AVX-512 table, each forced (the table picks one per call by cost). */
static const isa_kernels_t AVX512_POPCOUNT = {"avx512 popcount", NULL, bit_plane_gemm_avx512, NULL};
static const isa_kernels_t AVX512_VNNI = {"avx512 vnni", NULL, bit_plane_gemm_vnni, NULL};
#endif

int main(void) {
  const isa_kernels_t *ref = isa_kernels(ISA_SCALAR);
  if (!ref) {
    fprintf(stderr, "the scalar kernels cannot run here\n");
    return 1;
  }
  int failures = 0, cases = 0;
  for (int isa = 0; isa < ISA_COUNT + 2; isa++) {
    const isa_kernels_t *k = isa < ISA_COUNT ? isa_kernels(isa) : NULL;
#if defined(__x86_64__)
    if (isa >= ISA_COUNT && isa_kernels(ISA_AVX512)) k = isa == ISA_COUNT ? &AVX512_POPCOUNT : &AVX512_VNNI;
    if (isa == ISA_COUNT + 1 && !__builtin_cpu_supports("avx512vnni")) k = NULL;
#endif
    if (!k || isa == ISA_SCALAR) continue;
    const int before = cases;
    for (int i = 0; i < 60; i++) {
      int32_t m = 1 + (int32_t)(next() % 9), n = 1 + (int32_t)(next() % (i % 4 ? 70 : 200));
      int32_t kw64 = i < 8 ? 1 + i : 1 + (int32_t)(next() % (i % 3 ? 40 : 2100));
      if (i >= 56) { /* past the 4095 words a 16-bit NEON lane can count: the flush must happen */
        m = 1 + i % 2;
        n = 5;
        kw64 = 4090 + (i - 56) * 7;
      }
      for (int mode = 0; mode < 3; mode++)
        for (int planes = k->gemm ? 0 : 1; planes < 2; planes++, cases++) failures += check(k, ref, mode, planes, m, n, kw64, i >= 56, i % 5 == 4);
    }
    printf("%s: %d cases against scalar\n", k->name, cases - before);
  }
  if (failures) return 1;
  printf("kernels agree: %d cases\n", cases);
  return 0;
}
