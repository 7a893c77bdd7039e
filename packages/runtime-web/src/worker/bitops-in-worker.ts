// What `@onebit/bitops` resolves to inside the worker bundle: the real package, except that
// `createKernels` instantiates the module posted by the main thread (an explicit export wins over
// `export *`, so the real `createKernels` and, with it, the embedded WebAssembly bytes drop out).
// The build aliases this file's own import of "@onebit/bitops" to the real package.
export * from "@onebit/bitops";
export { createKernels } from "./posted-kernels.js";
