import { BitopsError } from "./errors.js";
import { BitopsHeap } from "./heap.js";
import type { BitopsKernels, KernelBackend } from "./kernels/kernel-args.js";
import {
  type NativeIsa,
  type NativeRegistration,
  type NativeStatus,
  nativeStatus,
  registerNativeAddon as register,
} from "./kernels/native-addon.js";
import type { GemmTile } from "./kernels/gemm-tiles.js";
import {
  type GemmTuning,
  forgetMeasuredTiles,
  gemmTileFor,
  gemmTuning,
  setGemmTile as forceTile,
} from "./kernels/gemm-tuner.js";
import { createNativeKernels } from "./kernels/native-kernels.js";
import { createTypeScriptKernels } from "./kernels/ts-kernels.js";
import {
  type WasmBackend,
  compileKernelModuleAsync,
  createWasmKernels,
  wasmBackendSupported,
  wasmModuleLoaded,
} from "./kernels/wasm-kernels.js";
import { loadModuleTexts } from "./wasm/module-text.js";

const isWasm = (b: KernelBackend): b is WasmBackend => b === "wasm-i64" || b === "wasm-simd";

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
  /** G binary-MAC/s of each candidate in the auto-selection measurement (its fastest tile), when one ran. */
  readonly measured?: Partial<Record<KernelBackend, number>>;
  /** The binary GEMM tile a WebAssembly backend runs (see `gemmTuning` for every candidate). */
  readonly gemmTile?: GemmTile;
  /** The per-machine tile choice of both WebAssembly backends, and each candidate's speed. */
  readonly gemmTuning?: GemmTuning;
  /** Whether the native kernels (@onebit/native, Node.js) can run here, their ISA, or why not. */
  readonly native: NativeStatus;
}

/**
 * Creates the kernels of a backend over `memory` (a new 1-page memory when omitted). `isa` picks
 * the native kernels' instruction set (default: the best this CPU runs, or ONEBIT_NATIVE_ISA);
 * `tile` the WebAssembly binary GEMM tile (default: the one measured fastest here, see
 * `getBackendInfo().gemmTuning`).
 */
export function createKernels(
  options: { backend?: KernelBackend; memory?: WebAssembly.Memory; isa?: NativeIsa; tile?: GemmTile } = {},
): BitopsKernels {
  const memory = options.memory ?? new WebAssembly.Memory({ initial: 1 });
  const backend = options.backend ?? getBackendInfo().backend;
  return kernelsFor(backend, memory, options.isa, options.tile);
}

function kernelsFor(
  backend: KernelBackend,
  memory: WebAssembly.Memory,
  isa?: NativeIsa,
  tile?: GemmTile,
): BitopsKernels {
  if (backend === "typescript") return createTypeScriptKernels(memory);
  if (backend === "native") return createNativeKernels(memory, isa);
  if (!isWasm(backend)) {
    throw new BitopsError("INVALID_ARGUMENT", `createKernels: unknown backend ${String(backend)}`);
  }
  return createWasmKernels(backend, memory, tile ?? gemmTileFor(backend));
}

/**
 * Forces the binary GEMM tile of a WebAssembly backend for the high-level functions and for kernels
 * created afterwards (`"auto"`: the measured choice). `setGemmTile("wasm-i64", "1x4")` keeps the
 * tile that is fastest on AMD Zen. Every tile gives the same results bit for bit.
 */
export function setGemmTile(backend: WasmBackend, tile: GemmTile | "auto"): BackendInfo {
  forceTile(backend, tile);
  info = undefined;
  context?.byBackend.delete(backend);
  return getBackendInfo();
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
    const tiles = isWasm(requested) ? { gemmTile: gemmTileFor(requested), gemmTuning: gemmTuning() } : {};
    info = { backend: requested, ...base, ...tiles, reason: `forced with setBackend("${requested}")` };
    return info;
  }
  if (native.available) {
    info = { backend: "native", ...base, reason: native.reason };
  } else if (!wasm) {
    info = { backend: "typescript", ...base, reason: "WebAssembly is not available" };
  } else if (!simd || !wasmModuleLoaded("wasm-simd")) {
    const tuning = gemmTuning();
    info = {
      backend: "wasm-i64",
      ...base,
      gemmTile: tuning.tiles["wasm-i64"],
      gemmTuning: tuning,
      reason: simd
        ? "the SIMD module is not loaded yet (initBitops loads it)"
        : "WebAssembly SIMD is not available",
    };
  } else {
    // The tile tuner times every tile of both modules; each backend is as fast as its best tile.
    const tuning = gemmTuning();
    const speed = (b: WasmBackend) => tuning.measured[`${b}/${tuning.tiles[b]}`];
    const measured = { "wasm-i64": speed("wasm-i64"), "wasm-simd": speed("wasm-simd") };
    const best = (measured["wasm-simd"] ?? 0) > (measured["wasm-i64"] ?? 0) ? "wasm-simd" : "wasm-i64";
    info = {
      backend: best,
      ...base,
      gemmTile: tuning.tiles[best],
      gemmTuning: tuning,
      reason: `measured fastest (${fmt(measured["wasm-i64"])} vs ${fmt(measured["wasm-simd"])} G binary-MAC/s for wasm-i64 ${tuning.tiles["wasm-i64"]} vs wasm-simd ${tuning.tiles["wasm-simd"]})`,
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
 * Loads and compiles the kernel modules asynchronously, then resolves the backend. Optional in
 * Node.js and in workers; call it once in a browser's main thread, which may refuse to compile
 * modules synchronously, and where the browser build loads its SIMD module here (before, wasm-simd
 * counts as unsupported).
 */
export async function initBitops(): Promise<BackendInfo> {
  if (hasWebAssembly()) {
    if (await loadModuleTexts()) {
      // A choice made before the SIMD module was there did not compare it: choose again.
      forgetMeasuredTiles();
      info = undefined;
    }
    const candidates: WasmBackend[] = ["wasm-i64", "wasm-simd"];
    await Promise.all(
      candidates.filter((b) => wasmBackendSupported(b)).map((b) => compileKernelModuleAsync(b, false)),
    );
  }
  return getBackendInfo();
}
