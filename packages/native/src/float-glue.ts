import type { NativeRegistration } from "@onebit/bitops";

/**
 * The float glue kernels of the addon (csrc/glue.c, glue-addon.c) as @onebit/runtime calls them:
 * (a Uint8Array over the runtime's memory, a Float64Array descriptor, weights or per-channel
 * parameters). Each is bit-identical to the runtime step it replaces; descriptors are documented
 * in glue-addon.c.
 */
export interface NativeFloatGlue {
  floatConv(view: Uint8Array, descriptor: Float64Array, weights: Float32Array): void;
  floatAffine(view: Uint8Array, descriptor: Float64Array, channels: Float64Array): void;
  floatMaxPool(view: Uint8Array, descriptor: Float64Array, unused: unknown): void;
}

/**
 * Where @onebit/runtime finds the glue (a global key rather than an import, so neither package
 * depends on the other; the runtime documents the same key in its native-glue.ts).
 */
export const FLOAT_GLUE_KEY = Symbol.for("@onebit/native:float-glue");

/** Publishes the loaded addon's float glue for @onebit/runtime; a missing or older addon publishes nothing. */
export function publishFloatGlue(registration: NativeRegistration): NativeFloatGlue | undefined {
  if ("error" in registration) return undefined;
  const addon = registration.addon as unknown as Partial<NativeFloatGlue>;
  if (
    typeof addon.floatConv !== "function" ||
    typeof addon.floatAffine !== "function" ||
    typeof addon.floatMaxPool !== "function"
  )
    return undefined;
  const glue: NativeFloatGlue = {
    floatConv: addon.floatConv.bind(addon),
    floatAffine: addon.floatAffine.bind(addon),
    floatMaxPool: addon.floatMaxPool.bind(addon),
  };
  (globalThis as Record<symbol, unknown>)[FLOAT_GLUE_KEY] = glue;
  return glue;
}
