#!/usr/bin/env node
// Compiles the AssemblyScript float glue in assembly/ to WebAssembly and embeds the bytes in
// src/wasm/*.generated.ts (scripts/embed-wasm.mjs at the repository root). Run before build,
// typecheck and test. Both builds import the engine's memory: plain, and shared (for engines whose
// passes run on worker threads).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { embedWasm } from "../../../scripts/embed-wasm.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const IMPORT = ["--importMemory"];
// 65536 pages = 4 GiB, the most a 32-bit memory can address; shared memories must declare a maximum.
const SHARED = [...IMPORT, "--sharedMemory", "--maximumMemory", "65536", "--enable", "threads"];

await embedWasm(asc, root, [
  {
    source: "assembly/float-glue.ts",
    output: "src/wasm/float-glue.generated.ts",
    name: "FLOAT_GLUE_WASM_BASE64",
    flags: IMPORT,
    imports: ["env.memory"],
  },
  {
    source: "assembly/float-glue.ts",
    output: "src/wasm/float-glue-shared.generated.ts",
    name: "FLOAT_GLUE_SHARED_WASM_BASE64",
    flags: SHARED,
    imports: ["env.memory"],
  },
]);
