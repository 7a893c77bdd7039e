// conv2dRows over ≤ 16 input channels, where the WebAssembly modules fold four taps' used halves
// into one 64-bit word (assembly/half-word-conv.ts) when the scratch holds the folded weights and
// a row: against the naive one-padded convolution on random shapes (tap counts on both sides of a
// multiple of 4, one output row or column, 'same' and 'valid', strides 1–2), with a scratch that
// holds the folded form and one that does not, over split pixel ranges, in dot and threshold mode.
import { describe, expect, it } from "vitest";
import {
  BitopsHeap,
  type ConvArgs,
  bconv2dRef,
  GEMM_TILES,
  createKernels,
  prepackConvWeights,
  thresholdRef,
  windowGeometry,
} from "../src/index.js";
import { BACKENDS, randomBytes, randomValues } from "./backends.js";
import { type ConvCase, convArgs, randomConvOperands } from "./conv-operands.js";

interface Case extends ConvCase {
  stride: number;
  padding: "same" | "valid";
}

function randomCase(i: number): Case {
  const r = randomBytes(12, 4200 + i);
  const kernelH = 1 + (r[0]! % 5);
  const kernelW = 2 + (r[1]! % 4);
  return {
    batch: 1 + (r[2]! % 2),
    height: kernelH + (r[3]! % 6),
    width: kernelW + (r[4]! % 6),
    channels: [16, 1, 9, 15][i % 4]!,
    outChannels: 1 + (r[5]! % 40),
    kernelH,
    kernelW,
    stride: 1 + (r[6]! % 2),
    padding: r[7]! % 2 ? "same" : "valid",
    seed: 5000 + i,
  };
}

const CASES: Case[] = [
  ...Array.from({ length: 12 }, (_, i) => randomCase(i)),
  // mnist-tiny's second convolution; one output row; one output column; tap counts 8 and 16
  // (rows end exactly at a word, so the next panel follows at once).
  {
    batch: 1,
    height: 12,
    width: 12,
    channels: 16,
    outChannels: 32,
    kernelH: 3,
    kernelW: 3,
    stride: 1,
    padding: "valid",
    seed: 1,
  },
  {
    batch: 1,
    height: 3,
    width: 9,
    channels: 5,
    outChannels: 4,
    kernelH: 3,
    kernelW: 3,
    stride: 1,
    padding: "valid",
    seed: 2,
  },
  {
    batch: 2,
    height: 7,
    width: 2,
    channels: 12,
    outChannels: 33,
    kernelH: 2,
    kernelW: 2,
    stride: 2,
    padding: "valid",
    seed: 3,
  },
  {
    batch: 1,
    height: 4,
    width: 6,
    channels: 3,
    outChannels: 9,
    kernelH: 2,
    kernelW: 4,
    stride: 1,
    padding: "same",
    seed: 4,
  },
  {
    batch: 1,
    height: 5,
    width: 5,
    channels: 16,
    outChannels: 8,
    kernelH: 4,
    kernelW: 4,
    stride: 1,
    padding: "valid",
    seed: 5,
  },
  // More than 16 channels (no fold), with the int32 masks a runtime may pass (31 channels: negative).
  ...[17, 31, 32].map((channels, i) => ({
    batch: 1,
    height: 3,
    width: 4,
    channels,
    outChannels: 3 + i,
    kernelH: 2,
    kernelW: 2,
    stride: 1,
    padding: "same" as const,
    seed: 6 + i,
  })),
];

// Every GEMM tile runs the folded rows (an odd word count for 9 taps, say), so each is tested.
const KERNELS = [
  { backend: "typescript" as const, tile: undefined },
  ...GEMM_TILES.filter((t) => BACKENDS.includes(t.backend)),
];

describe.each(KERNELS)("conv2dRows over ≤ 16 channels, %o", ({ backend, tile }) => {
  it.each(CASES)("%o equals the naive convolution, with and without room to fold", (c) => {
    const memory = new WebAssembly.Memory({ initial: 2 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory, ...(tile ? { tile } : {}) });
    const { x, cw } = randomConvOperands(c);
    const k = c.kernelH * c.kernelW * c.channels;
    const pw = prepackConvWeights(cw);
    const options = { stride: c.stride, padding: c.padding };
    const g = windowGeometry(c.height, c.width, c.kernelH, c.kernelW, options);
    const pixels = c.batch * g.outH * g.outW;
    const n = c.outChannels;
    const dots = bconv2dRef(x, cw, options);
    const thresholds = Int32Array.from(randomValues(n, c.seed + 2), (v) => Math.round(v * k * 0.3));
    const flips = Uint8Array.from(randomValues(n, c.seed + 3), (v) => (v > 0.3 ? 1 : 0));
    const input = heap.alloc(x.data.byteLength);
    heap.u32(input, x.data.length).set(x.data);
    const w = heap.alloc(pw.data.byteLength);
    heap.u32(w, pw.data.length).set(pw.data);
    const tAt = heap.alloc(4 * n);
    const fAt = heap.alloc(n);
    heap.i32(tAt, n).set(thresholds);
    heap.u8(fAt, n).set(flips);
    const bitStride = 16 * Math.ceil(n / 128);
    const out = heap.alloc(pixels * Math.max(n * 4, bitStride)); // dots, or rows of bits
    const rowBytes = pw.wordsPerRow * 4;
    // One kernel row of scratch (too small for the folded weights), then room for all of it.
    for (const scratchRows of [1, Math.ceil((Math.ceil(n / 4) * 128 + pixels * 64) / rowBytes)]) {
      const scratch = heap.alloc(scratchRows * rowBytes);
      const args = (mode: "dot" | "threshold"): ConvArgs =>
        convArgs(
          x,
          input,
          cw,
          g,
          {
            mode,
            a: scratch,
            aStride: rowBytes,
            w,
            n,
            k,
            kWords: pw.wordsPerRow,
            out,
            outStride: mode === "dot" ? n * 4 : bitStride,
            p0: mode === "dot" ? 0 : tAt,
            p1: mode === "dot" ? 0 : fAt,
          },
          scratchRows,
        );
      const split = Math.floor(pixels / 3);
      for (const mode of ["dot", "threshold"] as const) {
        kernels.conv2dRows(args(mode), 0, split);
        kernels.conv2dRows(args(mode), split, pixels);
        if (mode === "dot") expect(heap.i32(out, pixels * n)).toEqual(dots);
        else
          expect(heap.u32(out, (pixels * bitStride) / 4)).toEqual(
            thresholdRef(dots, pixels, n, thresholds, flips).data,
          );
      }
      heap.free(scratch);
    }
  });
});
