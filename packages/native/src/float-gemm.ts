import { loadNativeAddon } from "./load.js";

/** Instruction sets of the float GEMM, by the addon's ISA id (csrc/kernels.h). */
const ISA_IDS: Record<string, number> = { avx512: 0, avx2: 1, scalar: 2 };

/** The operands of one float GEMM call, as documented on `NativeFloatGemm`. */
type SgemmArgs = [
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
  threads?: number,
];

/** The addon's float entry points (csrc/addon.c): the same call led by the ISA id. */
interface FloatAddon {
  describe(): { floatIsas?: string[]; cpu: string };
  sgemm(isa: number, ...args: SgemmArgs): void;
}

/**
 * The native float GEMM, in the shape `registerNativeGemm` of `@onebit/tensor/node` takes:
 * C (m×n) = alpha·op(A)·op(B) + beta·C on row-major Float32Arrays (views over any memory, read and
 * written in place), op(A) m×k (A stored k×m when transA), op(B) k×n (B stored n×k when transB).
 * `threads` (default 1) splits products of 2 M multiply-adds and more over threads started for the
 * call, with bit-identical results.
 */
export interface NativeFloatGemm {
  /** The ISA in use: avx512 (AVX-512F), avx2 (AVX2 + FMA) or scalar. */
  readonly isa: string;
  /** All float ISAs this CPU runs, best first. */
  readonly isas: readonly string[];
  readonly cpu: string;
  sgemm(...args: SgemmArgs): void;
}

export type NativeFloatGemmStatus =
  | { gemm: NativeFloatGemm; error?: undefined }
  | { gemm?: undefined; error: string };

/**
 * Loads the float GEMM of this platform's addon. `isa` (default: ONEBIT_NATIVE_ISA, else the best
 * this CPU runs) forces one; `neon` maps to `scalar`, as aarch64 has no float micro-kernel yet.
 * Never throws: a missing binary, an old binary or an ISA this CPU cannot run comes back as `error`.
 */
export function loadNativeFloatGemm(options: { isa?: string } = {}): NativeFloatGemmStatus {
  const loaded = loadNativeAddon();
  if ("error" in loaded) return { error: loaded.error };
  const addon = loaded.addon as unknown as Partial<FloatAddon>;
  if (typeof addon.sgemm !== "function" || typeof addon.describe !== "function") {
    return { error: `the addon at ${loaded.path} has no float GEMM (built before it existed: rebuild it)` };
  }
  const { floatIsas = [], cpu } = addon.describe();
  const requested = options.isa ?? process.env.ONEBIT_NATIVE_ISA;
  const wanted = requested === "neon" ? "scalar" : requested;
  const isa = wanted ?? floatIsas[0];
  if (isa === undefined || !floatIsas.includes(isa) || ISA_IDS[isa] === undefined) {
    return {
      error: `float GEMM ISA ${String(isa)} does not run here (this CPU runs: ${floatIsas.join(", ") || "none"})`,
    };
  }
  const id = ISA_IDS[isa];
  const sgemm = addon.sgemm.bind(addon);
  return {
    gemm: {
      isa,
      isas: floatIsas,
      cpu,
      sgemm: (a, b, c, m, n, k, transA, transB, alpha, beta, threads = 1) =>
        sgemm(id, a, b, c, m, n, k, transA, transB, alpha, beta, threads),
    },
  };
}
