import {
  BitopsError,
  type BitopsKernels,
  type GemmTile,
  type KernelBackend,
  createTypeScriptKernels,
  instantiateWasmKernels,
} from "@onebit/bitops";

// Inside the worker bundle, this module stands in for `@onebit/bitops`' `createKernels` (see
// scripts/build-worker.mjs): kernels come from the module the main thread compiled and posted, so
// the worker's code carries no copy of the embedded WebAssembly bytes (they would double the
// package's download size).

let posted: WebAssembly.Module | null = null;
let postedGlue: string | null = null;

/** Records the compiled kernel module received with the worker's init message. */
export function usePostedModule(module: WebAssembly.Module | null): void {
  posted = module;
}

/** Records the runtime's float glue (base64, for a shared memory) received with the init message. */
export function usePostedFloatGlue(glue: string | null): void {
  postedGlue = glue;
}

/** The posted float glue (float-glue-in-worker.ts reads it when the runtime loads the glue). */
export function postedFloatGlue(): string | null {
  return postedGlue;
}

/** `createKernels` of `@onebit/bitops`, over the posted module. */
export function createKernels(options: {
  backend?: KernelBackend;
  memory?: WebAssembly.Memory;
  tile?: GemmTile;
}): BitopsKernels {
  const { backend, memory, tile } = options;
  if (!memory)
    throw new BitopsError("INVALID_ARGUMENT", "createKernels (worker): the shared memory is missing");
  if (backend === "typescript") return createTypeScriptKernels(memory);
  if (backend !== "wasm-i64" && backend !== "wasm-simd") {
    throw new BitopsError("INVALID_ARGUMENT", `createKernels (worker): unknown backend ${String(backend)}`);
  }
  if (!posted)
    throw new BitopsError("UNSUPPORTED", `createKernels (worker): no compiled ${backend} module was posted`);
  // The main thread's tuned tile (workers never tune); the backend's default where none came.
  return instantiateWasmKernels(posted, memory, backend, tile);
}
