import { BitopsError } from "../errors.js";
import {
  NATIVE_ABI,
  NATIVE_ISA_IDS,
  type NativeAddon,
  type NativeIsa,
  type NativeRegistration,
  type NativeStatus,
} from "./native-abi.js";
import { nativeHost } from "./native-host.js";

/**
 * The native backend's registry: @onebit/native (Node.js only) loads its Node-API addon and hands it
 * here with `registerNativeAddon`; this package stays free of Node.js imports, so browsers never see
 * it (the package's default build, for browsers, has native-addon.browser.ts in its place).
 * Worker threads find the same binary by themselves: registration publishes the addon's path as
 * worker environment data (Node.js ≥ 20.16), and a thread that needs the native backend and has none
 * registered loads it from there with `process.dlopen`.
 */

export {
  NATIVE_ABI,
  NATIVE_ISA_IDS,
  type NativeAddon,
  type NativeIsa,
  type NativeRegistration,
  type NativeStatus,
} from "./native-abi.js";

const ENV_KEY = "@onebit/native:addon-path";
const NOT_REGISTERED =
  "no native addon registered (Node.js only: install @onebit/native and import '@onebit/native/register')";

let current: { addon: NativeAddon; status: NativeStatus } | undefined;
let failure: string | undefined;

/** The ISA forced with ONEBIT_NATIVE_ISA, if any. */
function forcedIsa(): string | undefined {
  const v = nativeHost()?.env("ONEBIT_NATIVE_ISA");
  return v ? v.trim().toLowerCase() : undefined;
}

function inspect(addon: NativeAddon, path: string): NativeStatus {
  const d = addon.describe();
  if (d.abi !== NATIVE_ABI) {
    return {
      available: false,
      path,
      reason: `the addon at ${path} has ABI ${d.abi}, this @onebit/bitops needs ${NATIVE_ABI}`,
    };
  }
  const isas = d.isas.filter((i): i is NativeIsa => i in NATIVE_ISA_IDS);
  const forced = forcedIsa();
  if (forced !== undefined && !(isas as string[]).includes(forced)) {
    return {
      available: false,
      isas,
      cpu: d.cpu,
      path,
      reason: `ONEBIT_NATIVE_ISA=${forced}, but this CPU (${d.cpu}) runs ${isas.join(", ") || "none of the native kernels"}`,
    };
  }
  const isa = (forced as NativeIsa | undefined) ?? isas[0];
  if (isa === undefined) {
    return {
      available: false,
      isas,
      cpu: d.cpu,
      path,
      reason: `this CPU (${d.cpu}) lacks POPCNT, which the native kernels need`,
    };
  }
  return {
    available: true,
    isa,
    isas,
    cpu: d.cpu,
    path,
    reason: `native ${isa} kernels on ${d.cpu}${forced ? " (forced with ONEBIT_NATIVE_ISA)" : ""}`,
  };
}

/**
 * Hands a loaded native addon (or why none loaded) to @onebit/bitops. Called by @onebit/native;
 * `backend: "auto"` then prefers it. Returns the resulting status.
 */
export function registerNativeAddon(registration: NativeRegistration): NativeStatus {
  if ("error" in registration) {
    current = undefined;
    failure = registration.error;
    return nativeStatus();
  }
  const status = inspect(registration.addon, registration.path);
  current = { addon: registration.addon, status };
  failure = undefined;
  try {
    nativeHost()?.setShared(ENV_KEY, registration.path);
  } catch {
    // Older Node.js: workers then import '@onebit/native/register' themselves.
  }
  return status;
}

/** A worker thread without a registration loads the addon its parent registered. */
function loadFromParent(): void {
  const host = nativeHost();
  const path = host?.getShared(ENV_KEY);
  if (!host || typeof path !== "string") return;
  try {
    const module = { exports: {} as NativeAddon };
    host.dlopen(module, path);
    registerNativeAddon({ addon: module.exports, path });
  } catch (error) {
    failure = `loading ${path} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Whether the native backend can run in this thread, and why (not). */
export function nativeStatus(): NativeStatus {
  if (!current && failure === undefined) loadFromParent();
  if (current) return current.status;
  return { available: false, reason: failure ?? NOT_REGISTERED };
}

/** The registered addon, or a BitopsError "UNSUPPORTED" naming why there is none. */
export function nativeAddon(): { addon: NativeAddon; status: NativeStatus } {
  const status = nativeStatus();
  if (!current || !status.available) {
    throw new BitopsError("UNSUPPORTED", `the native backend cannot run here: ${status.reason}`);
  }
  return current;
}
