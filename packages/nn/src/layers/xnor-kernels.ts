import { BitopsHeap, type BitopsKernels, createKernels, getBackendInfo } from "@onebit/bitops";

/** One memory, heap and kernel set shared by every XNOR layer of the process. */
export interface SharedXnorKernels {
  heap: BitopsHeap;
  kernels: BitopsKernels;
}
let shared: SharedXnorKernels | null | undefined;

/**
 * @onebit/bitops' XNOR-popcount kernels (native where `@onebit/tensor/node` registered the addon,
 * else WebAssembly), or null where only the TypeScript fallback exists (slower than float GEMM).
 */
export function sharedXnorKernels(): SharedXnorKernels | null {
  if (shared === undefined) {
    const backend = getBackendInfo().backend;
    if (backend === "typescript") shared = null;
    else {
      const kernels = createKernels({ backend });
      shared = { heap: new BitopsHeap(kernels.memory), kernels };
    }
  }
  return shared;
}
