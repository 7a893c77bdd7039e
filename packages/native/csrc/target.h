/* Per-function instruction-set attributes: one binary holds every path, CPUID picks at run time. */
#ifndef ONEBIT_TARGET_H
#define ONEBIT_TARGET_H
#if defined(__x86_64__) || defined(__i386__)
#define ONEBIT_X86 1
#define TARGET_POPCNT __attribute__((target("popcnt")))
#define TARGET_AVX2 __attribute__((target("avx2,popcnt")))
/* Float GEMM: FMA without the popcount extensions (any AVX-512F or AVX2+FMA CPU). */
#define TARGET_AVX512F __attribute__((target("avx512f,fma")))
#define TARGET_AVX2_FMA __attribute__((target("avx2,fma")))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")))
#else
#define TARGET_POPCNT
#endif
#if defined(__aarch64__)
#define ONEBIT_NEON 1
#endif
#define ALWAYS_INLINE inline __attribute__((always_inline))
#endif
