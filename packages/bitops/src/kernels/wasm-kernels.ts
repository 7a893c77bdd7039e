import { BitopsError } from "../errors.js";
import { moduleText } from "../wasm/module-text.js";
import {
  type BitopsKernels,
  type ConvArgs,
  type GemmArgs,
  OUTPUT_MODE_CODES,
  type PackArgs,
  type PlaneConvArgs,
  checkColumns,
  type PoolArgs,
} from "./kernel-args.js";
import { im2colPlanesRows } from "../plane-im2col.js";
import { MemoryViews } from "./memory-views.js";
import { DEFAULT_GEMM_TILE, type GemmTile, type WasmBackend, gemmTileInfo } from "./gemm-tiles.js";

export type { WasmBackend } from "./gemm-tiles.js";

/** A binary GEMM entry: rows [rowStart, rowEnd) over kWords64 64-bit words (see assembly/). */
type GemmEntryFn = (
  rowStart: number,
  rowEnd: number,
  a: number,
  aStride: number,
  w: number,
  n: number,
  kWords64: number,
) => void;

/**
 * An 8-bit convolution entry over output pixels [rowStart, rowEnd) of NHWC bytes: the geometry,
 * then three operands — planeIm2col: dst, dstStride, kWords64; byteConv: masks, window, n.
 */
type PlaneIm2colFn = (
  rowStart: number,
  rowEnd: number,
  src: number,
  inH: number,
  inW: number,
  channels: number,
  kh: number,
  kw: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
  outH: number,
  outW: number,
  padValue: number,
  op0: number,
  op1: number,
  op2: number,
) => void;

/** The raw exports of a kernel module (see assembly/). */
interface KernelExports {
  setOutput(
    mode: number,
    k: number,
    n: number,
    out: number,
    outStride: number,
    p0: number,
    p1: number,
    c0: number,
    c1: number,
  ): void;
  gemm: GemmEntryFn;
  /** The alternative tiles (only in the module of their backend). */
  gemm1x4k4?: GemmEntryFn;
  gemm2x2?: GemmEntryFn;
  gemmMixed?: GemmEntryFn;
  bitPlaneGemm(
    rowStart: number,
    rowEnd: number,
    a: number,
    aStride: number,
    w: number,
    n: number,
    kWords64: number,
  ): void;
  im2col(
    rowStart: number,
    rowEnd: number,
    src: number,
    inH: number,
    inW: number,
    wpp: number,
    kh: number,
    kw: number,
    stride: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    lastMask: number,
    dst: number,
    dstStride: number,
  ): void;
  /** The 8-bit im2col (absent from the browser build's scalar module, see assembly/module-i64.ts). */
  planeIm2col?: PlaneIm2colFn;
  /** The direct 8-bit convolution for K ≤ 257 (assembly/byte-conv.ts; absent from the browser build's scalar module). */
  byteConv?: PlaneIm2colFn;
  byteConvMasks?(w: number, n: number, kWords64: number, k: number, dst: number): void;
  /** Convolutions over ≤ 16 channels with four taps per 64-bit word (assembly/half-word-conv.ts; not in the browser build's scalar module). */
  foldPanels?(w: number, panels: number, kWords64: number, taps: number, dst: number): void;
  foldIm2col?: KernelExports["im2col"];
  packSigns(
    rowStart: number,
    rowEnd: number,
    src: number,
    srcStride: number,
    cols: number,
    dst: number,
    dstStride: number,
  ): void;
  maxPool(
    rowStart: number,
    rowEnd: number,
    src: number,
    inH: number,
    inW: number,
    wpp: number,
    ph: number,
    pw: number,
    stride: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    dst: number,
  ): void;
}

const moduleCache = new Map<string, WebAssembly.Module>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The embedded module bytes of a backend, for a plain or a shared memory. */
export function kernelModuleBytes(backend: WasmBackend, shared: boolean): Uint8Array<ArrayBuffer> {
  const text = moduleText(backend, shared);
  if (text === undefined) {
    throw new BitopsError(
      "UNSUPPORTED",
      `${backend}: this build loads its module on demand — await initBitops() first`,
    );
  }
  return decodeBase64(text);
}

/** `() -> v128` returning `i8x16.popcnt(0)`: what "wasm-simd" needs, for engines to validate before its module loads. */
const SIMD_PROBE = "AGFzbQEAAAABBQFgAAF7AwIBAAoYARYA/QwAAAAAAAAAAAAAAAAAAAAA/WIL";

/** Whether this build has the backend's module at hand (the browser build loads SIMD in `initBitops`). */
export function wasmModuleLoaded(backend: WasmBackend): boolean {
  return moduleText(backend, false) !== undefined;
}

/**
 * Whether this engine validates the backend's module (SIMD support for "wasm-simd"; a module not
 * loaded yet is judged by a probe using the same instructions).
 */
export function wasmBackendSupported(backend: WasmBackend): boolean {
  if (typeof WebAssembly !== "object") return false;
  try {
    return WebAssembly.validate(
      wasmModuleLoaded(backend) ? kernelModuleBytes(backend, false) : decodeBase64(SIMD_PROBE),
    );
  } catch {
    return false;
  }
}

/**
 * The compiled module of a backend (compiled synchronously once, then cached). A runtime may post it
 * to workers, which instantiate it with `instantiateWasmKernels(module, memory)`.
 */
export function compileKernelModule(backend: WasmBackend, shared: boolean): WebAssembly.Module {
  const key = `${backend}/${shared}`;
  let module = moduleCache.get(key);
  if (!module) {
    module = new WebAssembly.Module(kernelModuleBytes(backend, shared));
    moduleCache.set(key, module);
  }
  return module;
}

/**
 * Compiles a backend's module asynchronously (for browsers' main threads) and caches it. "native"
 * has no module: it compiles the wasm-i64 one, so callers that compile every non-TypeScript backend
 * up front (as @onebit/runtime's Engine.create does) keep working.
 */
export async function compileKernelModuleAsync(
  backend: WasmBackend | "native",
  shared: boolean,
): Promise<WebAssembly.Module> {
  if (backend === "native") return compileKernelModuleAsync("wasm-i64", shared);
  const key = `${backend}/${shared}`;
  const cached = moduleCache.get(key);
  if (cached) return cached;
  const module = await WebAssembly.compile(kernelModuleBytes(backend, shared));
  moduleCache.set(key, module);
  return module;
}

export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * Instantiates the kernels of `backend` over `memory` (plain or shared) synchronously, running the
 * binary GEMM tile `tile` (default: the backend's default tile).
 */
export function createWasmKernels(
  backend: WasmBackend,
  memory: WebAssembly.Memory,
  tile?: GemmTile,
): WasmKernels {
  if (!wasmBackendSupported(backend)) {
    throw new BitopsError("UNSUPPORTED", `${backend}: this JavaScript engine cannot run the module`);
  }
  return instantiateWasmKernels(compileKernelModule(backend, isSharedMemory(memory)), memory, backend, tile);
}

/**
 * Instantiates an already compiled kernel module (e.g. one posted to a worker) over `memory`, with
 * the binary GEMM tile `tile` (default: the backend's default tile; pass
 * `getBackendInfo().gemmTiles[backend]` to run the tile the main thread measured fastest).
 */
export function instantiateWasmKernels(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  backend: WasmBackend,
  tile: GemmTile = DEFAULT_GEMM_TILE[backend],
): WasmKernels {
  const entry = gemmTileInfo(backend, tile).entry;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const x = instance.exports as unknown as KernelExports;
  const gemm = x[entry];
  if (!gemm) throw new BitopsError("UNSUPPORTED", `${backend}: the module has no ${entry} export`);
  return new WasmKernels(backend, memory, x, tile, gemm);
}

export class WasmKernels implements BitopsKernels {
  private readonly views: MemoryViews;

  constructor(
    readonly backend: WasmBackend,
    readonly memory: WebAssembly.Memory,
    private readonly x: KernelExports,
    /** The binary GEMM tile this instance runs. */
    readonly tile: GemmTile,
    private readonly gemm: GemmEntryFn,
  ) {
    this.views = new MemoryViews(memory);
  }

  private setOutput(g: GemmArgs, out: number, c0: number, c1: number): void {
    this.x.setOutput(OUTPUT_MODE_CODES[g.mode], g.k, g.n, out, g.outStride, g.p0, g.p1, c0, c1);
  }

  gemmRows(g: GemmArgs, rowStart: number, rowEnd: number, colStart = 0, colEnd = g.n): void {
    if (colStart !== 0 || colEnd !== g.n) checkColumns(g, colStart, colEnd);
    this.setOutput(g, g.out, colStart, colEnd);
    this.gemm(rowStart, rowEnd, g.a, g.aStride, g.w, g.n, g.kWords >>> 1);
  }

  bitPlaneGemmRows(g: GemmArgs, rowStart: number, rowEnd: number, colStart = 0, colEnd = g.n): void {
    if (colStart !== 0 || colEnd !== g.n) checkColumns(g, colStart, colEnd);
    this.setOutput(g, g.out, colStart, colEnd);
    this.x.bitPlaneGemm(rowStart, rowEnd, g.a, g.aStride, g.w, g.n, g.kWords >>> 1);
  }

  conv2dRows(c: ConvArgs, rowStart: number, rowEnd: number): void {
    const g = c.gemm;
    if (directConvInput(c)) {
      this.setOutput(g, g.out, 0, g.n);
      this.gemm(rowStart, rowEnd, c.input, g.aStride, g.w, g.n, g.kWords >>> 1);
      return;
    }
    // Over ≤ 16 channels (one word per pixel, lastWordMask ≤ 0xffff), where the module has it and
    // the scratch holds the folded weights and a row: four taps' used halves per 64-bit word, so
    // the GEMM popcounts half the words (assembly/half-word-conv.ts; same results).
    const taps = c.kernelH * c.kernelW;
    const folded = foldedWords(taps);
    const foldedWeights = Math.ceil(g.n / 4) * folded * 32;
    const foldedChunk = Math.floor((c.scratchRows * g.aStride - foldedWeights) / (folded * 8));
    const fold =
      this.x.foldIm2col !== undefined &&
      c.wordsPerPixel === 1 &&
      c.lastWordMask >>> 0 <= 0xffff && // an int32 mask (C mod 32 = 31) is negative
      folded < g.kWords >>> 1 &&
      foldedChunk > 0;
    let im2col = this.x.im2col;
    let [a, aStride, w, kWords64, chunk] = [g.a, g.aStride, g.w, g.kWords >>> 1, c.scratchRows];
    if (fold) {
      this.x.foldPanels!(g.w, Math.ceil(g.n / 4), kWords64, taps, g.a);
      im2col = this.x.foldIm2col!;
      [a, aStride, w, kWords64, chunk] = [g.a + foldedWeights, folded * 8, g.a, folded, foldedChunk];
    }
    for (let r0 = rowStart; r0 < rowEnd; r0 += chunk) {
      const r1 = Math.min(r0 + chunk, rowEnd);
      im2col(
        r0,
        r1,
        c.input,
        c.height,
        c.width,
        c.wordsPerPixel,
        c.kernelH,
        c.kernelW,
        c.stride,
        c.padTop,
        c.padLeft,
        c.outH,
        c.outW,
        c.lastWordMask,
        a,
        aStride,
      );
      this.setOutput(g, g.out + r0 * g.outStride, 0, g.n);
      this.gemm(0, r1 - r0, a, aStride, w, g.n, kWords64);
    }
  }

  bitPlaneConv2dRows(c: PlaneConvArgs, rowStart: number, rowEnd: number): void {
    const g = c.gemm;
    if (this.byteConv(c, rowStart, rowEnd)) return;
    for (let r0 = rowStart; r0 < rowEnd; r0 += c.scratchRows) {
      const r1 = Math.min(r0 + c.scratchRows, rowEnd);
      this.im2colPlanes(c, r0, r1);
      this.setOutput(g, g.out + r0 * g.outStride, 0, g.n);
      this.x.bitPlaneGemm(0, r1 - r0, g.a, g.aStride, g.w, g.n, g.kWords >>> 1);
    }
  }

  /**
   * The direct form of `bitPlaneConv2dRows` (same results) where the module has it, K ≤ 257 and the
   * scratch holds the weights' lane masks and one window's bytes: no im2col and no planes, a lane add per tap and column.
   */
  private byteConv(c: PlaneConvArgs, rowStart: number, rowEnd: number): boolean {
    const g = c.gemm;
    const maskBytes = byteConvMaskBytes(g.k, g.n);
    if (!this.x.byteConv || g.k > BYTE_CONV_MAX_K || maskBytes + g.k > c.scratchRows * g.aStride)
      return false;
    this.x.byteConvMasks!(g.w, g.n, g.kWords >>> 1, g.k, g.a);
    this.setOutput(g, g.out, 0, g.n);
    planeCall(this.x.byteConv, c, rowStart, rowEnd, g.a, g.a + maskBytes, g.n);
    return true;
  }

  /** The 8-bit im2col of `bitPlaneConv2dRows` alone: the module's, or `im2colPlanesRows` where it has none. */
  im2colPlanes(c: PlaneConvArgs, rowStart: number, rowEnd: number): void {
    if (!this.x.planeIm2col) {
      const v = this.views.current();
      im2colPlanesRows(v.u8, v.u32, c, rowStart, rowEnd);
      return;
    }
    planeCall(this.x.planeIm2col, c, rowStart, rowEnd, c.gemm.a, c.gemm.aStride, c.gemm.kWords >>> 1);
  }

  packSignsRows(p: PackArgs, rowStart: number, rowEnd: number): void {
    this.x.packSigns(rowStart, rowEnd, p.src, p.srcStride, p.cols, p.out, p.outStride);
  }

  maxPool2dRows(p: PoolArgs, rowStart: number, rowEnd: number): void {
    this.x.maxPool(
      rowStart,
      rowEnd,
      p.input,
      p.height,
      p.width,
      p.wordsPerPixel,
      p.poolH,
      p.poolW,
      p.stride,
      p.padTop,
      p.padLeft,
      p.outH,
      p.outW,
      p.out,
    );
  }
}

/** Runs an 8-bit convolution entry over rows [rowStart, rowEnd) of c with its three operands. */
function planeCall(
  fn: PlaneIm2colFn,
  c: PlaneConvArgs,
  rowStart: number,
  rowEnd: number,
  op0: number,
  op1: number,
  op2: number,
): void {
  fn(
    rowStart,
    rowEnd,
    c.input,
    c.height,
    c.width,
    c.channels,
    c.kernelH,
    c.kernelW,
    c.strideH,
    c.strideW,
    c.padTop,
    c.padLeft,
    c.outH,
    c.outW,
    c.padValue,
    op0,
    op1,
    op2,
  );
}

/** Largest K of the direct 8-bit convolution: 257 · 255 fits its unsigned 16-bit lanes (assembly/byte-conv.ts). */
const BYTE_CONV_MAX_K = 257;

/** Bytes of byteConv's lane-mask table: K taps × N columns padded to 16, 2 bytes each. */
function byteConvMaskBytes(k: number, n: number): number {
  return k * Math.ceil(n / 16) * 32;
}

/** 64-bit words of a folded row (assembly/half-word-conv.ts): ⌈taps/4⌉. */
function foldedWords(taps: number): number {
  return Math.ceil(taps / 4);
}

/** A 1×1, stride-1, unpadded convolution over pixels already laid out as kernel rows needs no im2col. */
export function directConvInput(c: ConvArgs): boolean {
  return (
    c.kernelH === 1 &&
    c.kernelW === 1 &&
    c.stride === 1 &&
    c.padTop === 0 &&
    c.padLeft === 0 &&
    c.wordsPerPixel * 4 === c.gemm.aStride
  );
}
