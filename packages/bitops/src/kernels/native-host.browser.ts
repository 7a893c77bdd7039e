import type { NativeHost } from "./native-host.js";

// The native registry's host outside Node.js: none. The default build of @onebit/bitops uses this
// file in place of native-host.ts (see tsup.config.ts), so browser bundles carry no Node.js code.

export function nativeHost(): NativeHost | undefined {
  return undefined;
}
