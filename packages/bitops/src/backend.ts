import { BitopsError } from "./errors.js";
import { BitopsHeap } from "./heap.js";
import { kernelRowWords } from "./kernel-layout.js";
import type { BitopsKernels, GemmArgs, KernelBackend } from "./kernels/kernel-args.js";
import {
  type NativeIsa,
  type NativeRegistration,
  type NativeStatus,
  nativeStatus,
  registerNativeAddon as register,
} from "./kernels/native-addon.js";
import { createNativeKernels } from "./kernels/native-kernels.js";
import { createTypeScriptKernels } from "./kernels/ts-kernels.js";
import {
  type WasmBackend,
  compileKernelModuleAsync,
  createWasmKernels,
  wasmBackendSupported,
} from "./kernels/wasm-kernels.js";

export type BackendChoice = "auto" | KernelBackend;

export interface BackendInfo {
  /** The backend the high-level functions use now. */
  readonly backend: KernelBackend;
  /** What was asked for with `setBackend` ("auto" by default). */
  readonly requested: BackendChoice;
  /** WebAssembly available (the scalar i64.popcnt module validates). */
  readonly wasm: boolean;
  /** WebAssembly SIMD available (the i8x16.popcnt module validates). */
  readonly simd: boolean;
  /** Why this backend was chosen. */
  readonly reason: string;
  /** G binary-MAC/s of each candidate in the auto-selection measurement, when one ran. */
  readonly measured?: Partial<Record<KernelBackend, number>>;
  /** Whether the native kernels (@onebit/native, Node.js) can run here, their ISA, or why not. */
  readonly native: NativeStatus;
}

/**
 * Creates the kernels of a backend over `memory` (a new 1-page memory when omitted). `isa` picks
 * the native kernels' instruction set (default: the best this CPU runs, or ONEBIT_NATIVE_ISA).
 */
export function createKernels(
  options: { backend?: KernelBackend; memory?: WebAssembly.Memory; isa?: NativeIsa } = {},
): BitopsKernels {
  const memory = options.memory ?? new WebAssembly.Memory({ initial: 1 });
  const backend = options.backend ?? getBackendInfo().backend;
  return kernelsFor(backend, memory, options.isa);
}

function kernelsFor(backend: KernelBackend, memory: WebAssembly.Memory, isa?: NativeIsa): BitopsKernels {
  if (backend === "typescript") return createTypeScriptKernels(memory);
  if (backend === "native") return createNativeKernels(memory, isa);
  if (backend !== "wasm-i64" && backend !== "wasm-simd") {
    throw new BitopsError("INVALID_ARGUMENT", `createKernels: unknown backend ${String(backend)}`);
  }
  return createWasmKernels(backend, memory);
}

/**
 * Hands @onebit/bitops a loaded native addon, or why none could load (called by @onebit/native;
 * see its README). `backend: "auto"` then prefers the native kernels.
 */
export function registerNativeAddon(registration: NativeRegistration): NativeStatus {
  const status = register(registration);
  info = undefined;
  context?.byBackend.delete("native"); // built over the previous addon or ISA
  return status;
}

/** Shared state of the high-level functions: one memory, its heap, and kernels per backend over it. */
export interface DefaultContext {
  readonly memory: WebAssembly.Memory;
  readonly heap: BitopsHeap;
  kernels(): BitopsKernels;
}

let requested: BackendChoice = "auto";
let info: BackendInfo | undefined;
let context: (DefaultContext & { byBackend: Map<KernelBackend, BitopsKernels> }) | undefined;

function hasWebAssembly(): boolean {
  return typeof WebAssembly === "object" && typeof WebAssembly.Memory === "function";
}

function ensureContext(): DefaultContext & { byBackend: Map<KernelBackend, BitopsKernels> } {
  if (!context) {
    if (!hasWebAssembly()) {
      throw new BitopsError(
        "UNSUPPORTED",
        "@onebit/bitops needs WebAssembly.Memory for its kernels' buffers",
      );
    }
    const memory = new WebAssembly.Memory({ initial: 16 });
    const byBackend = new Map<KernelBackend, BitopsKernels>();
    context = {
      memory,
      heap: new BitopsHeap(memory),
      byBackend,
      kernels(): BitopsKernels {
        const backend = getBackendInfo().backend;
        let k = byBackend.get(backend);
        if (!k) {
          k = kernelsFor(backend, memory);
          byBackend.set(backend, k);
        }
        return k;
      },
    };
  }
  return context;
}

/** The memory, heap and current kernels the high-level functions run on. */
export function defaultContext(): DefaultContext {
  return ensureContext();
}

/**
 * Which kernel backend the high-level functions use, resolving "auto" on first call: the native
 * kernels where @onebit/native registered them and this CPU runs them; else TypeScript without
 * WebAssembly, the scalar module without SIMD, else whichever of the scalar and SIMD modules is
 * faster on a short measurement (tens of milliseconds with compilation, cached for the process).
 * `native.reason` says why the native kernels were not used.
 */
export function getBackendInfo(): BackendInfo {
  if (info) return info;
  const wasm = hasWebAssembly() && wasmBackendSupported("wasm-i64");
  const simd = wasm && wasmBackendSupported("wasm-simd");
  const native = nativeStatus();
  const base = { requested, wasm, simd, native };
  if (requested !== "auto") {
    info = { backend: requested, ...base, reason: `forced with setBackend("${requested}")` };
    return info;
  }
  if (native.available) {
    info = { backend: "native", ...base, reason: native.reason };
  } else if (!wasm) {
    info = { backend: "typescript", ...base, reason: "WebAssembly is not available" };
  } else if (!simd) {
    info = { backend: "wasm-i64", ...base, reason: "WebAssembly SIMD is not available" };
  } else {
    const measured = measureBackends(["wasm-i64", "wasm-simd"]);
    const best = (measured["wasm-simd"] ?? 0) > (measured["wasm-i64"] ?? 0) ? "wasm-simd" : "wasm-i64";
    info = {
      backend: best,
      ...base,
      reason: `measured fastest (${fmt(measured["wasm-i64"])} vs ${fmt(measured["wasm-simd"])} G binary-MAC/s for wasm-i64 vs wasm-simd)`,
      measured,
    };
  }
  return info;
}

const fmt = (x: number | undefined) => (x === undefined ? "?" : x.toFixed(0));

/**
 * Selects the backend of the high-level functions. Forcing a backend this engine cannot run
 * throws `BitopsError` "UNSUPPORTED". Returns the resulting info.
 */
export function setBackend(choice: BackendChoice): BackendInfo {
  if (!["auto", "wasm-i64", "wasm-simd", "typescript", "native"].includes(choice)) {
    throw new BitopsError("INVALID_ARGUMENT", `setBackend: unknown backend ${String(choice)}`);
  }
  if (choice === "native" && !nativeStatus().available) {
    throw new BitopsError("UNSUPPORTED", `setBackend: native cannot run here: ${nativeStatus().reason}`);
  }
  if (
    (choice === "wasm-i64" || choice === "wasm-simd") &&
    !(hasWebAssembly() && wasmBackendSupported(choice))
  ) {
    throw new BitopsError("UNSUPPORTED", `setBackend: ${choice} cannot run in this JavaScript engine`);
  }
  requested = choice;
  info = undefined;
  return getBackendInfo();
}

/**
 * Compiles the kernel modules asynchronously, then resolves the backend. Optional in Node.js and in
 * workers; call it once in a browser's main thread, which may refuse to compile modules
 * synchronously.
 */
export async function initBitops(): Promise<BackendInfo> {
  if (hasWebAssembly()) {
    const candidates: WasmBackend[] = ["wasm-i64", "wasm-simd"];
    await Promise.all(
      candidates.filter((b) => wasmBackendSupported(b)).map((b) => compileKernelModuleAsync(b, false)),
    );
  }
  return getBackendInfo();
}

/** G binary-MAC/s of each backend on a 16×2048×256 GEMM (best of several warm runs). */
function measureBackends(backends: KernelBackend[]): Partial<Record<KernelBackend, number>> {
  const ctx = ensureContext();
  const m = 16;
  const k = 2048;
  const n = 256;
  const kWords = kernelRowWords(k);
  const a = ctx.heap.alloc(m * kWords * 4);
  const w = ctx.heap.alloc(n * kWords * 4);
  const out = ctx.heap.alloc(m * n * 4);
  try {
    const words = ctx.heap.u32(a, (w - a) / 4 + n * kWords);
    let x = 0x9e3779b9;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    const args: GemmArgs = {
      mode: "dot",
      a,
      aStride: kWords * 4,
      w,
      n,
      k,
      kWords,
      out,
      outStride: n * 4,
      p0: 0,
      p1: 0,
    };
    const kernels = backends.map((b) => kernelsFor(b, ctx.memory));
    const best = kernels.map(() => Number.POSITIVE_INFINITY);
    // Alternating rounds, so both candidates get the same chance to reach their optimized tier.
    for (let round = 0; round < 6; round++) {
      kernels.forEach((kern, i) => {
        // Several calls per reading: browsers coarsen performance.now() to 5–100 µs.
        const t0 = performance.now();
        for (let rep = 0; rep < 4; rep++) kern.gemmRows(args, 0, m);
        best[i] = Math.min(best[i]!, (performance.now() - t0) / 4);
      });
    }
    const result: Partial<Record<KernelBackend, number>> = {};
    backends.forEach((b, i) => {
      result[b] = (m * n * k) / Math.max(best[i]!, 1e-4) / 1e6;
    });
    return result;
  } finally {
    ctx.heap.free(out);
    ctx.heap.free(w);
    ctx.heap.free(a);
  }
}
