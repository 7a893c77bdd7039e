#!/usr/bin/env node
// Compiles the AssemblyScript kernels (optimizer, signs, BatchNorm) in assembly/ to WebAssembly (SIMD)
// and embeds the bytes in src/wasm/kernels-wasm.generated.ts. Run before build, typecheck and test.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { embedWasm } from "../../../scripts/embed-wasm.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The runtime instantiates it with no imports.
await embedWasm(asc, root, [
  { source: "assembly/index.ts", output: "src/wasm/kernels-wasm.generated.ts", name: "KERNELS_WASM_BASE64" },
]);
