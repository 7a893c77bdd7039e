#!/usr/bin/env node
// Compiles the AssemblyScript kernels in assembly/ to WebAssembly (SIMD) and embeds the bytes in
// src/wasm/*.generated.ts (scripts/embed-wasm.mjs at the repository root). Run before build,
// typecheck and test.
// The same source is built twice: with its own memory (the main entry) and importing one shared
// memory (the threaded build used by @onebit/tensor/node, where worker threads run on it together).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { embedWasm } from "../../../scripts/embed-wasm.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// 65536 pages = 4 GiB, the most a 32-bit memory can address; shared memories must declare a maximum.
const SHARED = ["--importMemory", "--sharedMemory", "--maximumMemory", "65536", "--enable", "threads"];

const modules = [
  {
    source: "assembly/gemm.ts",
    output: "src/wasm/gemm-wasm.generated.ts",
    name: "GEMM_WASM_BASE64",
    flags: [],
    imports: [],
  },
  {
    source: "assembly/gemm.ts",
    output: "src/wasm/gemm-wasm-shared.generated.ts",
    name: "GEMM_SHARED_WASM_BASE64",
    flags: SHARED,
    imports: ["env.memory"],
  },
];

await embedWasm(asc, root, modules);
