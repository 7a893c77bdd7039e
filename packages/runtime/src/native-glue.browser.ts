import type * as NativeGlue from "./native-glue.js";

// Browser builds (tsup.config.ts swaps this file for native-glue.ts): a browser has no Node-API
// addon, so there is never a native glue to run; the WebAssembly glue runs the float steps.

export const publishedNativeGlue: typeof NativeGlue.publishedNativeGlue = () => undefined;
export const nativeGlueSteps: typeof NativeGlue.nativeGlueSteps = () => undefined;
