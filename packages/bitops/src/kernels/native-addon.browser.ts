import type { NativeAddon, NativeRegistration, NativeStatus } from "./native-abi.js";
import { BitopsError } from "../errors.js";

// The native registry outside Node.js, where no addon can load: the default build of @onebit/bitops
// (browsers and their bundlers) has this file in place of native-addon.ts (see tsup.config.ts).
export {
  NATIVE_ABI,
  NATIVE_ISA_IDS,
  type NativeAddon,
  type NativeIsa,
  type NativeRegistration,
  type NativeStatus,
} from "./native-abi.js";

const UNAVAILABLE: NativeStatus = {
  available: false,
  reason: "the native kernels run in Node.js only (this is @onebit/bitops' browser build)",
};

export function registerNativeAddon(_registration: NativeRegistration): NativeStatus {
  return UNAVAILABLE;
}

export function nativeStatus(): NativeStatus {
  return UNAVAILABLE;
}

export function nativeAddon(): { addon: NativeAddon; status: NativeStatus } {
  throw new BitopsError("UNSUPPORTED", `the native backend cannot run here: ${UNAVAILABLE.reason}`);
}
