import { BitopsError } from "../errors.js";
import {
  type BitopsKernels,
  type ConvArgs,
  type GemmArgs,
  OUTPUT_MODE_CODES,
  type PackArgs,
  type PlaneConvArgs,
  type PoolArgs,
  checkColumns,
} from "./kernel-args.js";
import { NATIVE_ISA_IDS, type NativeAddon, type NativeIsa, nativeAddon } from "./native-addon.js";
import { directConvInput } from "./wasm-kernels.js";

// Field order of the addon's Uint32Array descriptors (the same enums are in @onebit/native's csrc/args.h).
const G = {
  mode: 0,
  k: 1,
  n: 2,
  out: 3,
  outStride: 4,
  p0: 5,
  p1: 6,
  c0: 7,
  c1: 8,
  rowStart: 9,
  rowEnd: 10,
  a: 11,
  aStride: 12,
  w: 13,
  kw64: 14,
} as const;
const GEMM_ARGS = 15;
const W = {
  input: 0,
  height: 1,
  width: 2,
  wpp: 3,
  lastMask: 4,
  kh: 5,
  kw: 6,
  stride: 7,
  padTop: 8,
  padLeft: 9,
  outH: 10,
  outW: 11,
  scratchRows: 12,
} as const;
const WINDOW_ARGS = 13;
// The 8-bit window of a bit-plane convolution (csrc/args.h's PW_* fields, after the GEMM fields).
const PW = {
  input: 0,
  height: 1,
  width: 2,
  channels: 3,
  kh: 4,
  kw: 5,
  strideH: 6,
  strideW: 7,
  padTop: 8,
  padLeft: 9,
  outH: 10,
  outW: 11,
  padValue: 12,
  scratchRows: 13,
} as const;
const PLANE_WINDOW_ARGS = 14;
const POOL = { rowStart: 0, rowEnd: 1, out: 2, window: 3 } as const;
const PACK = { rowStart: 0, rowEnd: 1, src: 2, srcStride: 3, cols: 4, out: 5, outStride: 6 } as const;

/**
 * The kernels of the native backend over `memory`: each call hands the addon a Uint8Array over the
 * memory's current buffer (ArrayBuffer or SharedArrayBuffer, no copy) and a reused descriptor, so a
 * runtime's plans, layouts and worker threads work unchanged. `isa` forces an instruction set
 * (default: the best this CPU runs, or ONEBIT_NATIVE_ISA).
 */
export function createNativeKernels(memory: WebAssembly.Memory, isa?: NativeIsa): BitopsKernels {
  const { addon, status } = nativeAddon();
  const chosen = isa ?? status.isa!;
  if (!status.isas?.includes(chosen)) {
    throw new BitopsError(
      "UNSUPPORTED",
      `native ISA ${String(chosen)}: this CPU (${status.cpu}) runs ${status.isas?.join(", ")}`,
    );
  }
  return new NativeKernels(memory, addon, chosen);
}

class NativeKernels implements BitopsKernels {
  readonly backend = "native" as const;
  private buffer: ArrayBufferLike | undefined;
  private view = new Uint8Array(0);
  private readonly isaId: number;
  private readonly conv = new Uint32Array(GEMM_ARGS + Math.max(WINDOW_ARGS, PLANE_WINDOW_ARGS));
  private readonly pool = new Uint32Array(POOL.window + WINDOW_ARGS);
  private readonly pack = new Uint32Array(7);

  constructor(
    readonly memory: WebAssembly.Memory,
    private readonly addon: NativeAddon,
    readonly isa: NativeIsa,
  ) {
    this.isaId = NATIVE_ISA_IDS[isa];
  }

  /** The view over the memory, re-derived when it has grown (its buffer changed). */
  private bytes(): Uint8Array {
    const buffer = this.memory.buffer;
    if (buffer !== this.buffer || this.view.byteLength !== buffer.byteLength) {
      this.buffer = buffer;
      this.view = new Uint8Array(buffer);
    }
    return this.view;
  }

  private fillGemm(g: GemmArgs, rowStart: number, rowEnd: number, c0: number, c1: number): Uint32Array {
    const d = this.conv;
    d[G.mode] = OUTPUT_MODE_CODES[g.mode];
    d[G.k] = g.k;
    d[G.n] = g.n;
    d[G.out] = g.out;
    d[G.outStride] = g.outStride;
    d[G.p0] = g.p0;
    d[G.p1] = g.p1;
    d[G.c0] = c0;
    d[G.c1] = c1;
    d[G.rowStart] = rowStart;
    d[G.rowEnd] = rowEnd;
    d[G.a] = g.a;
    d[G.aStride] = g.aStride;
    d[G.w] = g.w;
    d[G.kw64] = g.kWords >>> 1;
    return d;
  }

  gemmRows(g: GemmArgs, rowStart: number, rowEnd: number, colStart = 0, colEnd = g.n): void {
    if (colStart !== 0 || colEnd !== g.n) checkColumns(g, colStart, colEnd);
    const d = this.fillGemm(g, rowStart, rowEnd, colStart, colEnd);
    try {
      this.addon.gemm(this.isaId, this.bytes(), d);
    } catch (error) {
      rethrow(error);
    }
  }

  bitPlaneGemmRows(g: GemmArgs, rowStart: number, rowEnd: number, colStart = 0, colEnd = g.n): void {
    if (colStart !== 0 || colEnd !== g.n) checkColumns(g, colStart, colEnd);
    const d = this.fillGemm(g, rowStart, rowEnd, colStart, colEnd);
    try {
      this.addon.bitPlaneGemm(this.isaId, this.bytes(), d);
    } catch (error) {
      rethrow(error);
    }
  }

  conv2dRows(c: ConvArgs, rowStart: number, rowEnd: number): void {
    const g = c.gemm;
    if (directConvInput(c)) {
      const d = this.fillGemm(g, rowStart, rowEnd, 0, g.n);
      d[G.a] = c.input;
      try {
        this.addon.gemm(this.isaId, this.bytes(), d);
      } catch (error) {
        rethrow(error);
      }
      return;
    }
    const d = this.fillGemm(g, rowStart, rowEnd, 0, g.n);
    fillWindow(d, GEMM_ARGS, c, c.kernelH, c.kernelW);
    d[GEMM_ARGS + W.lastMask] = c.lastWordMask;
    d[GEMM_ARGS + W.scratchRows] = c.scratchRows;
    try {
      this.addon.conv2d(this.isaId, this.bytes(), d);
    } catch (error) {
      rethrow(error);
    }
  }

  bitPlaneConv2dRows(c: PlaneConvArgs, rowStart: number, rowEnd: number): void {
    const g = c.gemm;
    const d = this.fillGemm(g, rowStart, rowEnd, 0, g.n);
    const at = GEMM_ARGS;
    d[at + PW.input] = c.input;
    d[at + PW.height] = c.height;
    d[at + PW.width] = c.width;
    d[at + PW.channels] = c.channels;
    d[at + PW.kh] = c.kernelH;
    d[at + PW.kw] = c.kernelW;
    d[at + PW.strideH] = c.strideH;
    d[at + PW.strideW] = c.strideW;
    d[at + PW.padTop] = c.padTop;
    d[at + PW.padLeft] = c.padLeft;
    d[at + PW.outH] = c.outH;
    d[at + PW.outW] = c.outW;
    d[at + PW.padValue] = c.padValue;
    d[at + PW.scratchRows] = c.scratchRows;
    try {
      this.addon.bitPlaneConv2d(this.isaId, this.bytes(), d);
    } catch (error) {
      rethrow(error);
    }
  }

  packSignsRows(p: PackArgs, rowStart: number, rowEnd: number): void {
    const d = this.pack;
    d[PACK.rowStart] = rowStart;
    d[PACK.rowEnd] = rowEnd;
    d[PACK.src] = p.src;
    d[PACK.srcStride] = p.srcStride;
    d[PACK.cols] = p.cols;
    d[PACK.out] = p.out;
    d[PACK.outStride] = p.outStride;
    try {
      this.addon.packSigns(this.bytes(), d);
    } catch (error) {
      rethrow(error);
    }
  }

  maxPool2dRows(p: PoolArgs, rowStart: number, rowEnd: number): void {
    const d = this.pool;
    d[POOL.rowStart] = rowStart;
    d[POOL.rowEnd] = rowEnd;
    d[POOL.out] = p.out;
    fillWindow(d, POOL.window, p, p.poolH, p.poolW);
    try {
      this.addon.maxPool2d(this.bytes(), d);
    } catch (error) {
      rethrow(error);
    }
  }
}

type Window = Pick<
  ConvArgs,
  "input" | "height" | "width" | "wordsPerPixel" | "stride" | "padTop" | "padLeft" | "outH" | "outW"
>;

function fillWindow(d: Uint32Array, at: number, x: Window, kh: number, kw: number): void {
  d[at + W.input] = x.input;
  d[at + W.height] = x.height;
  d[at + W.width] = x.width;
  d[at + W.wpp] = x.wordsPerPixel;
  d[at + W.kh] = kh;
  d[at + W.kw] = kw;
  d[at + W.stride] = x.stride;
  d[at + W.padTop] = x.padTop;
  d[at + W.padLeft] = x.padLeft;
  d[at + W.outH] = x.outH;
  d[at + W.outW] = x.outW;
}

/** The addon checks every region against the memory and throws RangeError: report it as ours. */
function rethrow(error: unknown): never {
  if (error instanceof RangeError) throw new BitopsError("INVALID_ARGUMENT", error.message);
  throw error;
}
