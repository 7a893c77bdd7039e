import os from "node:os";
import { nativeLine } from "./harness/native.js";
import { ortVersion } from "./onnx/ort.js";
import { type BackendReport, backendReports } from "./sections/onebit-packages.js";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly logicalCores: number;
  readonly availableParallelism: number;
  readonly totalMemoryBytes: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly v8: string;
  readonly wasmSimd: boolean;
  readonly wasmThreads: boolean;
  /** 1-minute load average when the run started: > cores means other work competed for the CPU. */
  readonly loadAverage1m: number;
  readonly onnxruntimeNode?: string;
  readonly backends: BackendReport[];
  /** Whether @onebit/native's kernels run here (their ISA), or why not. */
  readonly native?: string;
}

// (module (func (result v128) v128.const i32x4 0 0 0 0)): validates only where SIMD is supported.
const SIMD_PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

// The ES2022 lib (no DOM) has no WebAssembly types; these are the two calls made here.
const wasm = (
  globalThis as unknown as {
    WebAssembly?: {
      validate(bytes: Uint8Array): boolean;
      Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBufferLike };
    };
  }
).WebAssembly;

export function wasmSimdSupported(): boolean {
  try {
    return wasm?.validate(SIMD_PROBE) === true;
  } catch {
    return false;
  }
}

function wasmThreadsSupported(): boolean {
  try {
    return (
      wasm !== undefined &&
      new wasm.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer
    );
  } catch {
    return false;
  }
}

export async function describeMachine(): Promise<MachineInfo> {
  const cpus = os.cpus();
  const ortV = await ortVersion();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    logicalCores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    node: process.version,
    v8: process.versions.v8,
    wasmSimd: wasmSimdSupported(),
    wasmThreads: wasmThreadsSupported(),
    loadAverage1m: os.loadavg()[0] ?? 0,
    ...(ortV ? { onnxruntimeNode: ortV } : {}),
    backends: backendReports(),
    native: nativeLine(),
  };
}
