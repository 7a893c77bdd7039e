// @onebit/native: the native XNOR-popcount kernels of onebit as @onebit/bitops' "native" backend.
import { type NativeStatus, registerNativeAddon } from "@onebit/bitops";
import { publishFloatGlue } from "./float-glue.js";
import { loadNativeAddon } from "./load.js";

export { FLOAT_GLUE_KEY, type NativeFloatGlue, publishFloatGlue } from "./float-glue.js";
export { loadNativeAddon } from "./load.js";
export { type NativeFloatGemm, type NativeFloatGemmStatus, loadNativeFloatGemm } from "./float-gemm.js";
export { platformPackage } from "./platform.js";
export {
  type NativeTrainKernels,
  type NativeTrainKernelsStatus,
  loadNativeTrainKernels,
} from "./train-kernels.js";

/**
 * Loads this platform's addon and registers it with @onebit/bitops (and its float glue for
 * @onebit/runtime), which then prefers it for
 * `backend: "auto"` (and in worker threads started afterwards). Never throws: where no binary or
 * no suitable CPU exists, the returned status says why and bitops keeps using WebAssembly.
 */
export function registerNativeBackend(): NativeStatus {
  const loaded = loadNativeAddon();
  // The same addon's float glue, for @onebit/runtime's float steps on the native backend.
  publishFloatGlue(loaded);
  return registerNativeAddon(loaded);
}
