import type { NativeTrainKernels } from "@onebit/native";
import { currentBackendChoice } from "./backend.js";

export type { NativeTrainKernels };

export type NativeTrainStatus =
  | { kernels: NativeTrainKernels; error?: undefined }
  | { kernels?: undefined; error: string };

// On globalThis under a registered symbol, as the native GEMM: the ESM and CJS builds share it.
const KEY = Symbol.for("@onebit/tensor:native-train");
type Holder = { [KEY]?: NativeTrainStatus };

/**
 * Makes the convolutions, max-pooling and (through `activeNativeTrainKernels`) @onebit/nn's sign
 * and BatchNorm passes run on @onebit/native's float training kernels under backend `auto` or
 * `native` (what `@onebit/tensor/node` does when the addon loads); an `error` status, or null,
 * keeps WebAssembly/TypeScript.
 */
export function registerNativeTrainKernels(status: NativeTrainStatus | null): void {
  (globalThis as Holder)[KEY] = status ?? { error: "not registered" };
}

export function nativeTrainStatus(): NativeTrainStatus {
  return (globalThis as Holder)[KEY] ?? { error: "not registered (only @onebit/tensor/node loads it)" };
}

/**
 * The native training kernels when registered and the backend choice is `auto` or `native`, else
 * null (browsers, no addon, or `setBackend("wasm-simd" | "typescript")`).
 */
export function activeNativeTrainKernels(): NativeTrainKernels | null {
  const choice = currentBackendChoice();
  if (choice !== "auto" && choice !== "native") return null;
  return nativeTrainStatus().kernels ?? null;
}
