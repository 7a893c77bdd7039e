// The contract between @onebit/bitops and the @onebit/native addon: shared by the native registry
// (native-addon.ts) and its browser stand-in (native-addon.browser.ts).

/** Instruction sets of the native kernels, best first on their CPUs. */
export type NativeIsa = "avx512" | "avx2" | "neon" | "scalar";

/** Ids the addon expects for each ISA. */
export const NATIVE_ISA_IDS: Record<NativeIsa, number> = { avx512: 0, avx2: 1, scalar: 2, neon: 3 };

/** The raw exports of the @onebit/native addon: (isa id, Uint8Array over the memory, Uint32Array descriptor). */
export interface NativeAddon {
  describe(): { abi: number; isas: string[]; cpu: string };
  gemm(isa: number, view: Uint8Array, args: Uint32Array): void;
  bitPlaneGemm(isa: number, view: Uint8Array, args: Uint32Array): void;
  conv2d(isa: number, view: Uint8Array, args: Uint32Array): void;
  bitPlaneConv2d(isa: number, view: Uint8Array, args: Uint32Array): void;
  maxPool2d(view: Uint8Array, args: Uint32Array): void;
  packSigns(view: Uint8Array, args: Uint32Array): void;
}

/** The descriptor layout this package fills; an addon reporting another one is refused. */
export const NATIVE_ABI = 2;

/** Whether the native backend can run here, and why (not). */
export interface NativeStatus {
  readonly available: boolean;
  /** The ISA the native kernels use by default (the best one, or `ONEBIT_NATIVE_ISA`). */
  readonly isa?: NativeIsa;
  /** Every ISA this CPU runs, best first. */
  readonly isas?: readonly NativeIsa[];
  readonly cpu?: string;
  /** The addon file. */
  readonly path?: string;
  readonly reason: string;
}

/** What @onebit/native passes: the loaded addon and its file, or why it could not load one. */
export type NativeRegistration = { addon: NativeAddon; path: string } | { error: string };
