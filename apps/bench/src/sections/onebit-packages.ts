import * as bitops from "@onebit/bitops";
import * as tensor from "@onebit/tensor";
import { exportedFunction } from "../harness/optional-import.js";

/**
 * The onebit packages the benchmark measures. Kernels still being written are feature-detected by export
 * name, so the benchmark runs at every commit and picks up each kernel the day it lands.
 */
export { bitops, tensor };

export interface BackendReport {
  readonly package: string;
  readonly info?: unknown;
  readonly note?: string;
}

/** Each package's `getBackendInfo()`, where it has one: which kernels are selected on this machine. */
export function backendReports(): BackendReport[] {
  const out: BackendReport[] = [];
  for (const [name, mod] of [
    ["@onebit/bitops", bitops],
    ["@onebit/tensor", tensor],
  ] as const) {
    const f = exportedFunction<() => unknown>(mod, "getBackendInfo");
    if (!f) {
      out.push({ package: name, note: "no getBackendInfo() export yet (TypeScript kernels only)" });
      continue;
    }
    try {
      out.push({ package: name, info: f() });
    } catch (e) {
      out.push({
        package: name,
        note: `getBackendInfo() threw: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
  return out;
}

/**
 * @onebit/tensor's TypeScript fallback runs at well under 1 GFLOP/s; in --quick, cases above this many
 * FLOP per run are left out on that backend (with a note) so the whole run stays near a minute.
 */
export const QUICK_TYPESCRIPT_FLOP_LIMIT = 4e8;

export function tensorBackendName(): string {
  const info = exportedFunction<() => { gemm?: unknown }>(tensor, "getBackendInfo")?.();
  return typeof info?.gemm === "string" ? info.gemm : "unknown";
}

/** Above this many FLOP per run (seconds even with WebAssembly SIMD), @onebit/tensor cases wait for --full. */
export const QUICK_FLOP_LIMIT = 4e9;

/** Whether --quick should leave out an @onebit/tensor case of `flop` FLOP per run. */
export function tensorTooSlowForQuick(quick: boolean, flop: number): boolean {
  if (!quick) return false;
  return (
    flop > QUICK_FLOP_LIMIT || (tensorBackendName() === "typescript" && flop > QUICK_TYPESCRIPT_FLOP_LIMIT)
  );
}
