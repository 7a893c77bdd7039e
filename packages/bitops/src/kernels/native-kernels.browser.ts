import type { BitopsKernels } from "./kernel-args.js";
import { type NativeIsa, nativeAddon } from "./native-addon.js";

// The native kernels outside Node.js: nativeAddon() throws BitopsError "UNSUPPORTED" naming why
// (no addon can register there). The default build uses this file in place of native-kernels.ts
// (see tsup.config.ts), keeping the addon's descriptor code out of browser bundles.

export function createNativeKernels(_memory: WebAssembly.Memory, _isa?: NativeIsa): BitopsKernels {
  nativeAddon();
  throw new Error("unreachable: a native addon registered outside Node.js");
}
