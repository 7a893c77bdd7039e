import { exportedFunction } from "../harness/optional-import.js";
import { bitops } from "./onebit-packages.js";

/**
 * The prepacked-weight kernels of @onebit/bitops (WebAssembly with a TypeScript fallback), described
 * structurally: the benchmark builds against whichever @onebit/bitops is installed, and these exports
 * arrived after its first release. `fastBitops()` is undefined where they are missing.
 */

export interface PackedWeights {
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint32Array;
}

export interface PackedImages {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly wordsPerPixel: number;
  readonly data: Uint32Array;
}

export interface ConvWeights {
  readonly outChannels: number;
  readonly data: Uint32Array;
}

export interface ConvOptions {
  stride?: number;
  padding?: "same" | "valid";
}

type BitMatrix = bitops.BitMatrix;
type BitPlanes = bitops.BitPlanes;

export interface FastBitops {
  /** Row padding (in words) the kernels like their activations to have. */
  readonly wordMultiple: number;
  prepackWeights(w: BitMatrix): PackedWeights;
  bgemm(a: BitMatrix, w: PackedWeights, out?: Int32Array): Int32Array;
  bgemmThreshold(a: BitMatrix, w: PackedWeights, t: Int32Array, flip: Uint8Array, out?: BitMatrix): BitMatrix;
  bgemmScaleBias(
    a: BitMatrix,
    w: PackedWeights,
    s: Float32Array,
    b: Float32Array,
    out?: Float32Array,
  ): Float32Array;
  bitPlaneGemmThreshold(
    x: BitPlanes,
    w: PackedWeights,
    t: Int32Array,
    flip: Uint8Array,
    out?: BitMatrix,
  ): BitMatrix;
  packImages(
    values: ArrayLike<number>,
    batch: number,
    height: number,
    width: number,
    channels: number,
  ): PackedImages;
  packConvWeights(values: ArrayLike<number>, out: number, kh: number, kw: number, inC: number): ConvWeights;
  prepackConvWeights(w: ConvWeights): PackedWeights;
  bconv2d(x: PackedImages, w: PackedWeights, options?: ConvOptions, out?: Int32Array): Int32Array;
  bconv2dThreshold(
    x: PackedImages,
    w: PackedWeights,
    t: Int32Array,
    flip: Uint8Array,
    options?: ConvOptions,
    out?: PackedImages,
  ): PackedImages;
  /** Which kernel backend runs ("wasm-i64", "wasm-simd", "typescript"). */
  backend(): string;
  /** Backends this engine can run, the auto-selected one first. */
  backends(): string[];
  /** Forces a backend ("auto" restores the measured choice). */
  setBackend(choice: string): void;
}

const NAMES = [
  "prepackWeights",
  "bgemm",
  "bgemmThreshold",
  "bgemmScaleBias",
  "bitPlaneGemmThreshold",
  "packImages",
  "packConvWeights",
  "prepackConvWeights",
  "bconv2d",
  "bconv2dThreshold",
  "getBackendInfo",
  "setBackend",
  "wasmBackendSupported",
] as const;

let cache: FastBitops | null | undefined;

export function fastBitops(): FastBitops | undefined {
  if (cache === undefined) {
    const fns = NAMES.map((n) => exportedFunction<(...a: never[]) => unknown>(bitops, n));
    if (fns.some((f) => f === undefined)) cache = null;
    else {
      const m = bitops as unknown as Omit<
        FastBitops,
        "wordMultiple" | "backend" | "backends" | "setBackend"
      > & {
        getBackendInfo(): { backend?: string };
        setBackend(choice: string): unknown;
        wasmBackendSupported(backend: string): boolean;
        KERNEL_WORD_MULTIPLE?: number;
      };
      cache = {
        wordMultiple: typeof m.KERNEL_WORD_MULTIPLE === "number" ? m.KERNEL_WORD_MULTIPLE : 1,
        prepackWeights: m.prepackWeights,
        bgemm: m.bgemm,
        bgemmThreshold: m.bgemmThreshold,
        bgemmScaleBias: m.bgemmScaleBias,
        bitPlaneGemmThreshold: m.bitPlaneGemmThreshold,
        packImages: m.packImages,
        packConvWeights: m.packConvWeights,
        prepackConvWeights: m.prepackConvWeights,
        bconv2d: m.bconv2d,
        bconv2dThreshold: m.bconv2dThreshold,
        backend: () => String(m.getBackendInfo().backend ?? "unknown"),
        backends: () => {
          const auto = String(m.getBackendInfo().backend ?? "typescript");
          const all = ["wasm-i64", "wasm-simd"].filter((b) => m.wasmBackendSupported(b)).concat("typescript");
          return [auto, ...all.filter((b) => b !== auto)];
        },
        setBackend: (choice) => {
          m.setBackend(choice);
        },
      };
    }
  }
  return cache ?? undefined;
}

/** The names missing from the installed @onebit/bitops, for the "not available yet" notes. */
export function missingFastExports(): string[] {
  return NAMES.filter((n) => !exportedFunction(bitops, n));
}
