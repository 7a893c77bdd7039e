import "@onebit/native/register";
import { getBackendInfo } from "@onebit/bitops";
import { type NativeFloatGlue, publishedNativeGlue } from "../src/native-glue.js";

// The native backend for the runtime's tests: @onebit/native registered in this process, its float
// glue published. Where the addon cannot load here (no C compiler when it was built), the tests that
// need it say so and skip — except under CI, which builds the addon and must run them.

export const nativeGlue: NativeFloatGlue | undefined = getBackendInfo().native.available
  ? publishedNativeGlue()
  : undefined;

export const NATIVE_MISSING = nativeGlue
  ? undefined
  : `the native addon or its float glue is not available here: ${getBackendInfo().native.reason}`;

if (NATIVE_MISSING && process.env.CI) throw new Error(`CI must run the native glue tests: ${NATIVE_MISSING}`);

/** ["native"] where the native backend and its float glue run here, else [] (the reason: NATIVE_MISSING). */
export const NATIVE_BACKENDS: readonly "native"[] = nativeGlue ? ["native"] : [];
