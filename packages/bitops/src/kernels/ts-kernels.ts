import { PANEL_COLUMNS } from "../kernel-layout.js";
import { popcount32 } from "../popcount.js";
import {
  type BitopsKernels,
  type ConvArgs,
  type GemmArgs,
  type PackArgs,
  type PlaneConvArgs,
  type PoolArgs,
  checkColumns,
} from "./kernel-args.js";
import { MemoryViews } from "./memory-views.js";
import { im2colPlanesRows } from "../plane-im2col.js";
import { directConvInput } from "./wasm-kernels.js";

/**
 * The pointer kernels in plain TypeScript (SWAR popcount over 32-bit words), over the same memory
 * and layouts as the WebAssembly modules: the fallback where WebAssembly is missing, and a second
 * implementation the tests hold the modules to.
 */
export function createTypeScriptKernels(memory: WebAssembly.Memory): BitopsKernels {
  return new TypeScriptKernels(memory);
}

class TypeScriptKernels implements BitopsKernels {
  readonly backend = "typescript" as const;
  private readonly memoryViews: MemoryViews;
  private u8 = new Uint8Array(0);
  private u32 = new Uint32Array(0);
  private i32 = new Int32Array(0);
  private f32 = new Float32Array(0);

  constructor(readonly memory: WebAssembly.Memory) {
    this.memoryViews = new MemoryViews(memory);
  }

  /** Re-derives the views when the memory has grown (its buffer changed). */
  private views(): void {
    ({ u8: this.u8, u32: this.u32, i32: this.i32, f32: this.f32 } = this.memoryViews.current());
  }

  /** Threshold mode ORs bits in: zero the words this column range owns (and the padding, at the end). */
  private clearRows(
    g: GemmArgs,
    out: number,
    rowStart: number,
    rowEnd: number,
    c0: number,
    c1: number,
  ): void {
    if (g.mode !== "threshold") return;
    const from = (c0 >>> 5) * 4;
    const to = c1 >= g.n ? g.outStride : Math.ceil(c1 / 32) * 4;
    for (let m = rowStart; m < rowEnd; m++)
      this.u8.fill(0, out + m * g.outStride + from, out + m * g.outStride + to);
  }

  private emit(g: GemmArgs, out: number, m: number, j: number, dot: number): void {
    if (j >= g.n) return;
    const row = out + m * g.outStride;
    if (g.mode === "dot") this.i32[(row >>> 2) + j] = dot;
    else if (g.mode === "scaleBias") {
      this.f32[(row >>> 2) + j] = Math.fround(
        Math.fround(dot * this.f32[(g.p0 >>> 2) + j]!) + this.f32[(g.p1 >>> 2) + j]!,
      );
    } else {
      const t = this.i32[(g.p0 >>> 2) + j]!;
      const on = this.u8[g.p1 + j] ? dot <= t : dot >= t;
      if (on) this.u32[(row >>> 2) + (j >>> 5)]! |= 1 << (j & 31);
    }
  }

  private gemmAt(
    g: GemmArgs,
    a: number,
    out: number,
    rowStart: number,
    rowEnd: number,
    c0 = 0,
    c1 = g.n,
  ): void {
    this.views();
    this.clearRows(g, out, rowStart, rowEnd, c0, c1);
    const u32 = this.u32;
    const p1 = Math.ceil(c1 / PANEL_COLUMNS);
    const kw = g.kWords;
    for (let m = rowStart; m < rowEnd; m++) {
      const ar = (a + m * g.aStride) >>> 2;
      for (let p = c0 / PANEL_COLUMNS; p < p1; p++) {
        let q = (g.w >>> 2) + p * kw * PANEL_COLUMNS;
        let c0 = 0;
        let c1 = 0;
        let c2 = 0;
        let c3 = 0;
        for (let t = 0; t < kw; t += 2) {
          const x0 = u32[ar + t]!;
          const x1 = u32[ar + t + 1]!;
          c0 += popcount32(x0 ^ u32[q]!) + popcount32(x1 ^ u32[q + 1]!);
          c1 += popcount32(x0 ^ u32[q + 2]!) + popcount32(x1 ^ u32[q + 3]!);
          c2 += popcount32(x0 ^ u32[q + 4]!) + popcount32(x1 ^ u32[q + 5]!);
          c3 += popcount32(x0 ^ u32[q + 6]!) + popcount32(x1 ^ u32[q + 7]!);
          q += 8;
        }
        const j = p * PANEL_COLUMNS;
        this.emit(g, out, m, j, g.k - 2 * c0);
        this.emit(g, out, m, j + 1, g.k - 2 * c1);
        this.emit(g, out, m, j + 2, g.k - 2 * c2);
        this.emit(g, out, m, j + 3, g.k - 2 * c3);
      }
    }
  }

  gemmRows(g: GemmArgs, rowStart: number, rowEnd: number, colStart = 0, colEnd = g.n): void {
    if (colStart !== 0 || colEnd !== g.n) checkColumns(g, colStart, colEnd);
    this.gemmAt(g, g.a, g.out, rowStart, rowEnd, colStart, colEnd);
  }

  bitPlaneGemmRows(g: GemmArgs, rowStart: number, rowEnd: number, colStart = 0, colEnd = g.n): void {
    if (colStart !== 0 || colEnd !== g.n) checkColumns(g, colStart, colEnd);
    this.bitPlaneGemmAt(g, g.out, rowStart, rowEnd, colStart, colEnd);
  }

  private bitPlaneGemmAt(
    g: GemmArgs,
    out: number,
    rowStart: number,
    rowEnd: number,
    colStart: number,
    colEnd: number,
  ): void {
    this.views();
    this.clearRows(g, out, rowStart, rowEnd, colStart, colEnd);
    const u32 = this.u32;
    const panelEnd = Math.ceil(colEnd / PANEL_COLUMNS);
    const kw = g.kWords;
    const cols = new Float64Array(PANEL_COLUMNS);
    for (let m = rowStart; m < rowEnd; m++) {
      const row = (g.a + m * g.aStride) >>> 2;
      let rowSum = 0;
      for (let plane = 0; plane < 8; plane++) {
        let s = 0;
        for (let t = 0; t < kw; t++) s += popcount32(u32[row + plane * kw + t]!);
        rowSum += s * 2 ** plane;
      }
      for (let p = colStart / PANEL_COLUMNS; p < panelEnd; p++) {
        cols.fill(0);
        for (let plane = 0; plane < 8; plane++) {
          const xr = row + plane * kw;
          let q = (g.w >>> 2) + p * kw * PANEL_COLUMNS;
          for (let t = 0; t < kw; t += 2) {
            const x0 = u32[xr + t]!;
            const x1 = u32[xr + t + 1]!;
            for (let c = 0; c < PANEL_COLUMNS; c++) {
              cols[c]! +=
                (popcount32(x0 & u32[q + 2 * c]!) + popcount32(x1 & u32[q + 2 * c + 1]!)) * 2 ** plane;
            }
            q += 8;
          }
        }
        for (let c = 0; c < PANEL_COLUMNS; c++)
          this.emit(g, out, m, p * PANEL_COLUMNS + c, 2 * cols[c]! - rowSum);
      }
    }
  }

  conv2dRows(c: ConvArgs, rowStart: number, rowEnd: number): void {
    const g = c.gemm;
    if (directConvInput(c)) {
      this.gemmAt(g, c.input, g.out, rowStart, rowEnd);
      return;
    }
    for (let r0 = rowStart; r0 < rowEnd; r0 += c.scratchRows) {
      const r1 = Math.min(r0 + c.scratchRows, rowEnd);
      this.im2col(c, r0, r1);
      this.gemmAt(g, g.a, g.out + r0 * g.outStride, 0, r1 - r0);
    }
  }

  bitPlaneConv2dRows(c: PlaneConvArgs, rowStart: number, rowEnd: number): void {
    const g = c.gemm;
    for (let r0 = rowStart; r0 < rowEnd; r0 += c.scratchRows) {
      const r1 = Math.min(r0 + c.scratchRows, rowEnd);
      this.views();
      im2colPlanesRows(this.u8, this.u32, c, r0, r1);
      this.bitPlaneGemmAt(g, g.out + r0 * g.outStride, 0, r1 - r0, 0, g.n);
    }
  }

  private im2col(c: ConvArgs, rowStart: number, rowEnd: number): void {
    this.views();
    const u32 = this.u32;
    const wpp = c.wordsPerPixel;
    const outHW = c.outH * c.outW;
    const strideWords = c.gemm.aStride >>> 2;
    for (let r = rowStart; r < rowEnd; r++) {
      const b = Math.floor(r / outHW);
      const rem = r - b * outHW;
      const oy = Math.floor(rem / c.outW);
      const ox = rem - oy * c.outW;
      let d = (c.gemm.a >>> 2) + (r - rowStart) * strideWords;
      const rowEndWord = d + strideWords;
      const img = (c.input >>> 2) + b * c.height * c.width * wpp;
      for (let dy = 0; dy < c.kernelH; dy++) {
        const iy = oy * c.stride - c.padTop + dy;
        for (let dx = 0; dx < c.kernelW; dx++) {
          const ix = ox * c.stride - c.padLeft + dx;
          if (iy >= 0 && iy < c.height && ix >= 0 && ix < c.width) {
            const s = img + (iy * c.width + ix) * wpp;
            u32.copyWithin(d, s, s + wpp);
          } else {
            u32.fill(0xffffffff, d, d + wpp - 1);
            u32[d + wpp - 1] = c.lastWordMask;
          }
          d += wpp;
        }
      }
      u32.fill(0, d, rowEndWord);
    }
  }

  packSignsRows(p: PackArgs, rowStart: number, rowEnd: number): void {
    this.views();
    const { f32, u32 } = this;
    for (let r = rowStart; r < rowEnd; r++) {
      const s = (p.src + r * p.srcStride) >>> 2;
      const d = (p.out + r * p.outStride) >>> 2;
      let o = 0;
      for (let c = 0; c < p.cols; c += 32) {
        let word = 0;
        const end = Math.min(32, p.cols - c);
        for (let i = 0; i < end; i++) word |= (f32[s + c + i]! < 0 ? 0 : 1) << i;
        u32[d + o++] = word;
      }
      u32.fill(0, d + o, d + (p.outStride >>> 2));
    }
  }

  maxPool2dRows(p: PoolArgs, rowStart: number, rowEnd: number): void {
    this.views();
    const u32 = this.u32;
    const wpp = p.wordsPerPixel;
    const outHW = p.outH * p.outW;
    for (let r = rowStart; r < rowEnd; r++) {
      const b = Math.floor(r / outHW);
      const rem = r - b * outHW;
      const oy = Math.floor(rem / p.outW);
      const ox = rem - oy * p.outW;
      const img = (p.input >>> 2) + b * p.height * p.width * wpp;
      const d = (p.out >>> 2) + r * wpp;
      for (let w = 0; w < wpp; w++) {
        let acc = 0;
        for (let dy = 0; dy < p.poolH; dy++) {
          const iy = oy * p.stride - p.padTop + dy;
          if (iy < 0 || iy >= p.height) continue;
          for (let dx = 0; dx < p.poolW; dx++) {
            const ix = ox * p.stride - p.padLeft + dx;
            if (ix < 0 || ix >= p.width) continue;
            acc |= u32[img + (iy * p.width + ix) * wpp + w]!;
          }
        }
        u32[d + w] = acc;
      }
    }
  }
}
