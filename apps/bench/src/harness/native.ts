import { getBackendInfo, type KernelBackend, wasmBackendSupported } from "@onebit/bitops";
import { importOptional } from "./optional-import.js";

let registered: Promise<void> | undefined;

/**
 * Registers @onebit/native's kernels with @onebit/bitops (backend "native", which "auto" then
 * prefers). Where the addon cannot load, bitops keeps WebAssembly and `getBackendInfo().native.reason`
 * says why; the report shows it.
 */
export function registerNative(): Promise<void> {
  registered ??= importOptional("@onebit/native/register").then(() => undefined);
  return registered;
}

/** Whether the native kernels run here, their ISA, or why not — one line for the report. */
export function nativeLine(): string {
  const n = getBackendInfo().native;
  return n.available
    ? `native kernels: ${n.isa} (${n.reason})`
    : `native kernels: not available (${n.reason})`;
}

/** The kernel backends this machine runs, the auto-selected one first (native where it loaded). */
export function binaryBackends(): KernelBackend[] {
  const all: KernelBackend[] = ["wasm-i64", "typescript"];
  if (wasmBackendSupported("wasm-simd")) all.splice(1, 0, "wasm-simd");
  if (getBackendInfo().native.available) all.unshift("native");
  const auto = getBackendInfo().backend;
  return all.includes(auto) ? [auto, ...all.filter((b) => b !== auto)] : all;
}

/**
 * The backends timed side by side: every compiled one (native, wasm-i64, wasm-simd); `--full` adds
 * the TypeScript fallback.
 */
export function comparedBackends(quick: boolean): KernelBackend[] {
  return quick ? binaryBackends().filter((b) => b !== "typescript") : binaryBackends();
}
