import { createRequire } from "node:module";
import type { NativeAddon, NativeRegistration } from "@onebit/bitops";
import { platformPackage } from "./platform.js";

const require = createRequire(import.meta.url);

/**
 * Loads the addon: from ONEBIT_NATIVE_ADDON (a path, for a binary built elsewhere) or from this
 * platform's package. Never throws: a missing package or a failed load comes back as the reason,
 * which @onebit/bitops shows in `getBackendInfo().native.reason` while it uses WebAssembly.
 */
export function loadNativeAddon(): NativeRegistration {
  const override = process.env.ONEBIT_NATIVE_ADDON;
  const pkg = platformPackage();
  let path: string;
  try {
    path = override || require.resolve(`${pkg}/onebit.node`);
  } catch {
    let installed = false;
    try {
      require.resolve(`${pkg}/package.json`);
      installed = true;
    } catch {}
    return {
      error: installed
        ? `${pkg} has no onebit.node: it was installed without its binary (in the onebit repository, build it with a C compiler: pnpm --filter ${pkg} build)`
        : `no native binary for ${process.platform}-${process.arch}: ${pkg} is not installed (an optional dependency of @onebit/native, published for linux-x64-gnu)`,
    };
  }
  try {
    return { addon: require(path) as NativeAddon, path };
  } catch (error) {
    return { error: `loading ${path} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
