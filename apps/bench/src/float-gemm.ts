// Float32 GEMM cases of the gemm section: @onebit/tensor's gemm on the backend it selects, forced to
// its TypeScript fallback, and on worker threads; and small cubes, where copying into WebAssembly
// memory stops paying (gemm's `auto` threshold). The harness checks sampled entries of each answer
// in float64 before timing it (`pnpm bench --filter gemm`).
import { type BackendChoice, gemm, getBackendInfo, setBackend } from "@onebit/tensor";
import type { CaseSpec } from "./harness/types.js";
import { checkFloatProduct } from "./sections/checks.js";
import { floatOperands, type GemmShape, gemmGroup } from "./sections/gemm-operands.js";
import { QUICK_TYPESCRIPT_FLOP_LIMIT } from "./sections/onebit-packages.js";
import { withTensorThreads } from "./sections/tensor-threads.js";

/** Small cubes for the crossover between the per-call copy into WebAssembly memory and the TypeScript loop. */
export const SMALL_SIZES = [2, 4, 8, 16, 24, 32, 64];
export const QUICK_SMALL_SIZES = [4, 16, 64];

/** @onebit/tensor's gemm on `backend` ("auto": the one it selects); a forced backend is reset in dispose. */
function tensorGemmCase(s: GemmShape, backend: BackendChoice, group = gemmGroup(s)): CaseSpec<Float32Array> {
  const forced = backend !== "auto";
  return {
    section: "gemm",
    group,
    impl: forced ? `tensor-gemm-${backend}` : "tensor-gemm",
    label: `@onebit/tensor gemm float32 (${forced ? backend : `${getBackendInfo().gemm}, auto`})`,
    precision: "float32",
    threads: 1,
    work: { count: 2 * s.m * s.n * s.k, unit: "FLOP" },
    bytes: s.k * s.n * 4,
    setup() {
      const { a, b } = floatOperands(s);
      const c = new Float32Array(s.m * s.n);
      if (forced) setBackend(backend);
      return {
        run: () => {
          gemm(a, b, c, s.m, s.n, s.k);
          return c;
        },
        check: (out) =>
          checkFloatProduct(out, a, (kk, col) => b[kk * s.n + col]!, s.m, s.n, s.k, "tensor gemm"),
        dispose: () => {
          if (forced) setBackend("auto");
        },
      };
    },
  };
}

/**
 * The float32 GEMM of one shape: the selected backend (on `threads` worker threads too when > 1),
 * and the TypeScript fallback where SIMD is selected (in --quick only below a FLOP budget).
 */
export function floatGemmCases(s: GemmShape, options: { quick: boolean; threads: number }): CaseSpec[] {
  const cases: CaseSpec[] = [tensorGemmCase(s, "auto")];
  if (options.threads > 1) cases.push(withTensorThreads(tensorGemmCase(s, "auto"), options.threads));
  const simd = getBackendInfo().gemm === "wasm-simd";
  if (simd && (!options.quick || 2 * s.m * s.n * s.k <= QUICK_TYPESCRIPT_FLOP_LIMIT)) {
    cases.push(tensorGemmCase(s, "typescript"));
  }
  return cases;
}

/** Small cubes, WebAssembly SIMD forced against the TypeScript loop (the baseline of each). */
export function smallGemmCases(quick: boolean): CaseSpec[] {
  if (!getBackendInfo().simd) return [];
  return (quick ? QUICK_SMALL_SIZES : SMALL_SIZES).flatMap((size) => {
    const s = { m: size, k: size, n: size };
    const group = `small ${gemmGroup(s)}`;
    return [
      { ...tensorGemmCase(s, "typescript", group), baseline: true },
      tensorGemmCase(s, "wasm-simd", group),
    ];
  });
}
