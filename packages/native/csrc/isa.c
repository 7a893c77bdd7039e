/* Which kernels this CPU runs: chosen by CPUID at call time (GCC/Clang's __builtin_cpu_supports also
 * checks through XGETBV that the OS saves the wide registers). Read-only tables, no mutable state. */
#include <stdio.h>

#include "kernels.h"
#include "target.h"

void gemm_scalar(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
void bit_plane_gemm_scalar(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
#ifdef ONEBIT_X86
#include <cpuid.h>
void gemm_avx512(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
void bit_plane_gemm_avx512(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
void bit_plane_gemm_avx512_vnni(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
int byte_gemm_vnni(const output_t *, const uint8_t *, size_t, int32_t, const uint8_t *, int32_t, int32_t, int32_t);
void gemm_avx2(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
#endif
#ifdef ONEBIT_NEON
void gemm_neon(const output_t *, const uint8_t *, size_t, const uint8_t *, int32_t, int32_t, int32_t);
#endif

static const isa_kernels_t KERNELS[ISA_COUNT + 1] = {
#ifdef ONEBIT_X86
    [ISA_AVX512] = {"avx512", gemm_avx512, bit_plane_gemm_avx512},
    /* The same ISA on a CPU with AVX512-VNNI: bit-plane layers multiply bytes (gemm-vnni.c). */
    [ISA_AVX512_VNNI] = {"avx512", gemm_avx512, bit_plane_gemm_avx512_vnni, byte_gemm_vnni},
    [ISA_AVX2] = {"avx2", gemm_avx2, bit_plane_gemm_scalar},
#endif
    [ISA_SCALAR] = {"scalar", gemm_scalar, bit_plane_gemm_scalar},
#ifdef ONEBIT_NEON
    [ISA_NEON] = {"neon", gemm_neon, bit_plane_gemm_scalar},
#endif
};

uint32_t isa_supported_mask(void) {
  uint32_t mask = 0;
#ifdef ONEBIT_X86
  __builtin_cpu_init();
  /* The scalar path needs POPCNT; a CPU without it gets no native kernels (WebAssembly instead). */
  if (!__builtin_cpu_supports("popcnt")) return 0;
  mask |= 1u << ISA_SCALAR;
  if (__builtin_cpu_supports("avx2")) mask |= 1u << ISA_AVX2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vpopcntdq"))
    mask |= 1u << ISA_AVX512;
#else
  mask |= 1u << ISA_SCALAR;
#endif
#ifdef ONEBIT_NEON
  mask |= 1u << ISA_NEON; /* Advanced SIMD is part of every AArch64 CPU */
#endif
  return mask;
}

const isa_kernels_t *isa_kernels(int isa) {
  if (isa < 0 || isa >= ISA_COUNT || !(isa_supported_mask() & (1u << isa))) return NULL;
#ifdef ONEBIT_X86
  if (isa == ISA_AVX512 && __builtin_cpu_supports("avx512vnni")) return &KERNELS[ISA_AVX512_VNNI];
#endif
  return KERNELS[isa].gemm ? &KERNELS[isa] : NULL;
}

void cpu_description(char *buf, size_t size) {
  snprintf(buf, size, "unknown");
#ifdef ONEBIT_X86
  unsigned int regs[12];
  if (__get_cpuid_max(0x80000000u, NULL) >= 0x80000004u) {
    for (unsigned i = 0; i < 3; i++)
      __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
    char brand[49];
    memcpy(brand, regs, 48);
    brand[48] = 0;
    const char *s = brand;
    while (*s == ' ') s++;
    snprintf(buf, size, "%s", s);
  }
#elif defined(__aarch64__)
  snprintf(buf, size, "aarch64");
#endif
}
