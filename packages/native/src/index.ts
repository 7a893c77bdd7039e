// @onebit/native: the native XNOR-popcount kernels of onebit as @onebit/bitops' "native" backend.
import { type NativeStatus, registerNativeAddon } from "@onebit/bitops";
import { loadNativeAddon } from "./load.js";

export { loadNativeAddon } from "./load.js";
export { type NativeFloatGemm, type NativeFloatGemmStatus, loadNativeFloatGemm } from "./float-gemm.js";
export { platformPackage } from "./platform.js";
export {
  type NativeTrainKernels,
  type NativeTrainKernelsStatus,
  loadNativeTrainKernels,
} from "./train-kernels.js";

/**
 * Loads this platform's addon and registers it with @onebit/bitops, which then prefers it for
 * `backend: "auto"` (and in worker threads started afterwards). Never throws: where no binary or
 * no suitable CPU exists, the returned status says why and bitops keeps using WebAssembly.
 */
export function registerNativeBackend(): NativeStatus {
  return registerNativeAddon(loadNativeAddon());
}
