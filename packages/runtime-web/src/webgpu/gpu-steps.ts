import type { Step } from "@onebit/runtime";
import type { GemmArgs } from "@onebit/bitops";
import { PARAM_COUNT } from "./kernels.wgsl.js";

// Which plan steps the WGSL kernels run, and their params (see kernels.wgsl.ts for each layout).
// A step without a GPU kernel runs on the engine's WebAssembly kernels, and the reason is reported.

/** Entry points of the kernel module. */
export type GpuEntry =
  | "gemm"
  | "convBits"
  | "convBytes"
  | "convGeneric"
  | "signBits"
  | "encodePlanes"
  | "maxPool"
  | "xorMask"
  | "copyWords"
  | "toFloat";

/** A step the GPU runs: its kernel, params, and invocations per output row. */
export interface GpuStep {
  readonly entry: GpuEntry;
  readonly params: Uint32Array<ArrayBuffer>;
  readonly perRow: number;
  /** Invocations per item: 32 for threshold GEMMs (one per column of an output word), else 1. */
  readonly lanes?: number;
  /** Float32 values the step reads from a GPU-only table (written once after the mirrored memory). */
  readonly table?: Float32Array<ArrayBuffer>;
}

/** Where a step runs: on the GPU, or on the WebAssembly kernels and why. */
export type StepPlacement = GpuStep | { readonly reason: string };

const MODE = { dot: 0, threshold: 1, scaleBias: 2 } as const;

function params(values: readonly number[]): Uint32Array<ArrayBuffer> {
  const p = new Uint32Array(PARAM_COUNT);
  // Signed values (pads, offsets) wrap to their two's complement; the kernels bit-cast them back.
  values.forEach((v, i) => {
    p[i] = v >>> 0;
  });
  return p;
}

/** Lanes per item of a GEMM: 32 for threshold outputs (a word's columns), else 1 (a column). */
function gemmLanes(g: GemmArgs): number {
  return g.mode === "threshold" ? 32 : 1;
}

/** Items per output row of a GEMM: columns, or the words of a packed row (all written: padding is zeroed). */
function gemmItems(g: GemmArgs): number {
  return g.mode === "threshold" ? g.outStride / 4 : g.n;
}

/** Params 2..13 of the GEMM family (the output and weights); `a` 0 for convolutions. */
function gemmParams(g: GemmArgs, bitPlane: boolean): number[] {
  return [
    MODE[g.mode],
    g.w,
    g.n,
    g.k,
    g.kWords,
    g.out,
    g.outStride,
    g.p0,
    g.p1,
    g.a,
    g.aStride,
    bitPlane ? 1 : 0,
  ];
}

interface ConvWindow {
  input: number;
  height: number;
  width: number;
  depth: number;
  lastMask: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  padValue: number;
}

function convParams(c: ConvWindow): number[] {
  return [
    c.input,
    c.height,
    c.width,
    c.depth,
    c.lastMask,
    c.kernelH,
    c.kernelW,
    c.strideH,
    c.strideW,
    c.padTop,
    c.padLeft,
    c.outH,
    c.outW,
    c.padValue,
  ];
}

/** The float32 value of each byte under x′ = x·scale + offset, rounded as the CPU step rounds it. */
function byteTable(scale: number, offset: number): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: 256 }, (_, x) => Math.fround(Math.fround(x * scale) + offset));
}

/** Whether word ranges [a, a + aWords) and [b, b + bWords) (byte pointers) overlap. */
function overlaps(a: number, aWords: number, b: number, bWords: number): boolean {
  return a < b + 4 * bWords && b < a + 4 * aWords;
}

/** Where step `s` runs for passes of up to `capacity` samples. */
export function placeStep(s: Step, capacity: number): StepPlacement {
  const rows = s.rowsPerSample;
  switch (s.op) {
    case "gemm":
      return {
        entry: "gemm",
        params: params([rows, gemmItems(s.args), ...gemmParams(s.args, s.bitPlane)]),
        perRow: gemmItems(s.args),
        lanes: gemmLanes(s.args),
      };
    case "conv": {
      const c = s.slots[0]!;
      const g = c.gemm;
      return {
        entry: "convBits",
        params: params([
          rows,
          gemmItems(g),
          ...gemmParams({ ...g, a: 0, aStride: 0 }, false),
          ...convParams({
            ...c,
            depth: c.wordsPerPixel,
            lastMask: c.lastWordMask,
            strideH: c.stride,
            strideW: c.stride,
            padValue: 0,
          }),
        ]),
        perRow: gemmItems(g),
        lanes: gemmLanes(g),
      };
    }
    case "im2colConv": {
      const g = { ...s.slots[0]!, a: 0, aStride: 0 };
      const bytes = s.source === "uint8";
      const lastMask = s.channels % 32 === 0 ? 0xffffffff : 2 ** (s.channels % 32) - 1;
      return {
        entry: bytes ? "convBytes" : "convBits",
        params: params([
          rows,
          gemmItems(g),
          ...gemmParams(g, bytes),
          ...convParams({ ...s, depth: bytes ? s.channels : s.wpp, lastMask }),
        ]),
        perRow: gemmItems(g),
        lanes: gemmLanes(g),
      };
    }
    case "bconvGeneric": {
      const threshold = s.mode === "threshold";
      const p = Array.from({ length: 28 }, () => 0);
      const set = (at: number, values: number[]) =>
        values.forEach((v, i) => {
          p[at + i] = v;
        });
      set(0, [rows, s.outRowWords, MODE[s.mode], s.w, s.n, s.channels / s.groups, s.wWords]);
      set(7, [s.out, 4 * s.outRowWords, s.p0, s.p1, s.dilationH, s.dilationW, 0]);
      set(14, [s.input, s.height, s.width, s.inWpp, s.padOne, s.kernelH, s.kernelW]);
      set(21, [s.strideH, s.strideW, s.padTop, s.padLeft, s.outH, s.outW, s.n / s.groups]);
      return { entry: "convGeneric", params: params(p), perRow: s.outRowWords, lanes: threshold ? 32 : 1 };
    }
    case "sign": {
      const l = s.layout;
      return {
        entry: "signBits",
        params: params([
          rows,
          l.sampleWords,
          s.src,
          s.dst,
          s.channels,
          s.thresholds,
          s.flip,
          0,
          l.wpp,
          l.pixels,
        ]),
        perRow: l.sampleWords,
      };
    }
    case "encodePlanes":
      return {
        entry: "encodePlanes",
        params: params([rows, s.kWords, s.src, s.elements, s.dst, s.kWords]),
        perRow: s.kWords,
      };
    case "pool": {
      const p = s.args;
      const depth = p.wordsPerPixel;
      return {
        entry: "maxPool",
        params: params([
          rows,
          depth,
          p.input,
          p.height,
          p.width,
          depth,
          p.poolH,
          p.poolW,
          p.stride,
          p.stride,
          p.padTop,
          p.padLeft,
          p.outH,
          p.outW,
          p.out,
          0,
        ]),
        perRow: depth,
      };
    }
    case "genericPool":
      return {
        entry: "maxPool",
        params: params([
          rows,
          s.depth,
          s.input,
          s.height,
          s.width,
          s.depth,
          s.poolH,
          s.poolW,
          s.strideH,
          s.strideW,
          s.padTop,
          s.padLeft,
          s.outH,
          s.outW,
          s.out,
          s.kind === "float32" ? 1 : 0,
        ]),
        perRow: s.depth,
      };
    case "xorMask":
      return { entry: "xorMask", params: params([rows, s.wpp, s.ptr, s.mask]), perRow: s.wpp };
    case "copyWords": {
      // In place would race between invocations; the CPU copies row by row.
      const span = capacity * rows;
      if (overlaps(s.src, span * s.srcStride, s.dst, span * s.dstStride))
        return { reason: "copies rows within one buffer (in place)" };
      return {
        entry: "copyWords",
        params: params([rows, s.dstStride, s.src, s.srcStride, s.dst, s.dstStride, s.words]),
        perRow: s.dstStride,
      };
    }
    case "toFloat": {
      const l = s.layout;
      const bits = s.source === "bits";
      return {
        entry: "toFloat",
        // Param 4 (the table's pointer) is filled in when the table is placed.
        params: params([
          rows,
          s.elements,
          s.src,
          s.dst,
          0,
          bits ? 1 : 0,
          l?.channels ?? 1,
          l?.wpp ?? 0,
          l?.sampleWords ?? 0,
        ]),
        perRow: s.elements,
        ...(bits ? {} : { table: byteTable(s.scale, s.offset) }),
      };
    }
    case "softmax":
      return { reason: "softmax sums exp() in float64" };
    case "denseFloat":
    case "conv2dFloat":
    case "conv2dGeneric":
      return { reason: "float layers sum in float64 (no WGSL kernel yet)" };
    default:
      return { reason: "no WGSL kernel yet" };
  }
}

/** Table pointer param of `toFloat` (see kernels.wgsl.ts). */
export const TABLE_PARAM = 4;
