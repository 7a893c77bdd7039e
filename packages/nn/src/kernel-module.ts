import { KERNELS_WASM_BASE64 } from "./wasm/kernels-wasm.generated.js";

/** The embedded module's exports (assembly/index.ts); pointers are byte offsets. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    lr: number,
    epsHat: number,
    lo: number,
    hi: number,
  ): void;
  packSignPanels(
    src: number,
    k: number,
    n: number,
    signs: number,
    acc: number,
    panels: number,
    kWords: number,
  ): number;
  signsMaxAbs(src: number, n: number, out: number): number;
  channelSums(a: number, b: number, rows: number, c: number, acc: number, acc2: number): void;
  normalize(
    x: number,
    rows: number,
    c: number,
    mean: number,
    invStd: number,
    gamma: number,
    beta: number,
    xhat: number,
    y: number,
  ): void;
  normalizeBackward(
    g: number,
    xhat: number,
    rows: number,
    c: number,
    gamma: number,
    invStd: number,
    meanG: number,
    meanGH: number,
    gx: number,
  ): void;
  heapBase(): number;
}

export const PAGE = 65536;
/** Rounds a byte count up to 16 (one v128). */
export const align16 = (bytes: number): number => (bytes + 15) & ~15;

// undefined: not tried yet; null: WebAssembly SIMD unavailable here.
let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel module (f32x4 SIMD), or null where WebAssembly SIMD does not validate. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  let module: WebAssembly.Module | null = null;
  try {
    if (typeof WebAssembly === "object") {
      const binary = atob(KERNELS_WASM_BASE64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      if (WebAssembly.validate(bytes)) module = new WebAssembly.Module(bytes);
    }
  } catch {
    module = null;
  }
  compiled = module;
  return module;
}

/** A fresh instance with its own memory, or null where the module is unavailable. */
export function instantiateKernels(): KernelExports | null {
  const module = kernelModule();
  return module ? (new WebAssembly.Instance(module, {}).exports as unknown as KernelExports) : null;
}

/** Byte offsets of consecutive 16-byte-aligned regions of the given sizes in `k`'s memory, grown as needed. */
export function layoutRegions(k: KernelExports, sizes: readonly number[]): number[] {
  let top = align16(k.heapBase());
  const offsets = sizes.map((bytes) => {
    const at = top;
    top += align16(bytes);
    return at;
  });
  const memory = k.memory;
  if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / PAGE));
  return offsets;
}
