/**
 * Child process of the memory section: loads one model the way a deployment would, runs one batch-1
 * inference, and prints its peak resident set as JSON. One process per model, so each peak is that
 * model's alone. Usage: memory-child <variant> [onnx-file]
 */
import { readFileSync } from "node:fs";
import { Engine } from "@onebit/runtime";
import { createOrtSession, loadOrt, runOrt } from "./onnx/ort.js";
import { MLP_3X4096, binaryMlpRunner } from "./sections/binary-mlp.js";
import { tensorMlpRunner, toFloatInput } from "./sections/float-mlp.js";
import { binaryModel, floatModel } from "./sections/models.js";

export type MemoryVariant =
  | "baseline"
  | "binary-mlp"
  | "binary-mlp-runtime"
  | "float-mlp-onebit"
  | "float-mlp-ort";

const variant = process.argv[2] as MemoryVariant;
const arch = MLP_3X4096;
const x = new Uint8Array(arch.inputs).fill(128);
let checksum = 0;

switch (variant) {
  case "baseline":
    break;
  case "binary-mlp":
    checksum = binaryMlpRunner(binaryModel(arch), 1).run(x)[0]!;
    break;
  case "binary-mlp-runtime": {
    const file = process.argv[3];
    if (!file) throw new Error("binary-mlp-runtime needs the .onebit file path");
    const engine = Engine.createSync(readFileSync(file));
    checksum = engine.runSync(x).logits[0]!;
    break;
  }
  case "float-mlp-onebit":
    checksum = tensorMlpRunner(floatModel(arch), 1)(toFloatInput(x))[0]!;
    break;
  case "float-mlp-ort": {
    const { ort, reason } = await loadOrt();
    if (!ort) throw new Error(`onnxruntime-node unavailable: ${reason}`);
    const file = process.argv[3];
    if (!file) throw new Error("float-mlp-ort needs the .onnx file path");
    const session = await createOrtSession(ort, file, 1);
    checksum = (await runOrt(ort, session, toFloatInput(x), [1, arch.inputs]))[0]!;
    break;
  }
  default:
    throw new Error(`unknown memory variant ${String(variant)}`);
}

/**
 * Peak resident set of this process. On Linux, getrusage's maxRSS carries over the parent's resident
 * set from before exec (libuv forks, then execs), so read the new address space's own high-water mark.
 */
function peakRssBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS * 1024;
}

process.stdout.write(`${JSON.stringify({ variant, maxRssBytes: peakRssBytes(), checksum })}\n`);
