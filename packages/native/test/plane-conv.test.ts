// The bit-plane (8-bit input) convolution in one native call (8-bit im2col + bit-plane GEMM) on
// every ISA, byte for byte against wasm-i64 and the TypeScript kernels (which @onebit/bitops' tests
// hold to a plain integer convolution), in every output mode; and descriptors it must refuse.
import {
  BitopsHeap,
  type BitopsKernels,
  type GemmArgs,
  type PlaneConvArgs,
  createKernels,
  packSignsMatrix,
  prepackWeights,
} from "@onebit/bitops";
import { describe, expect, it } from "vitest";
import { isas, pick, randomValues, randomWords } from "./support.js";

const CASES = Array.from({ length: 12 }, (_, i) => {
  const kernelH = pick(10 + i, 1, 7);
  const kernelW = pick(20 + i, 1, 7);
  return {
    batch: pick(30 + i, 1, 3),
    height: kernelH + pick(40 + i, 0, 9),
    width: kernelW + pick(50 + i, 0, 9),
    channels: [1, 3, 1, 2, 4, 9][i % 6]!,
    outChannels: pick(60 + i, 1, 70),
    kernelH,
    kernelW,
    strideH: pick(70 + 37 * i, 1, 2),
    strideW: pick(81 + 53 * i, 1, 3),
    padTop: pick(90 + i, 0, kernelH - 1),
    padLeft: pick(100 + i, 0, kernelW - 1),
    padValue: i % 2 ? pick(110 + i, 0, 255) : 0,
    scratchRows: pick(120 + i, 1, 40),
    seed: 500 + i,
  };
});

type Case = (typeof CASES)[number];

/** A bit-plane convolution laid out in a fresh memory, with the arguments of every output mode. */
function layout(c: Case) {
  const outH = Math.floor((c.height + c.padTop - c.kernelH) / c.strideH) + 1;
  const outW = Math.floor((c.width + c.padLeft - c.kernelW) / c.strideW) + 1;
  const n = c.outChannels;
  const k = c.kernelH * c.kernelW * c.channels;
  const rows = c.batch * outH * outW;
  const packed = prepackWeights(packSignsMatrix(randomValues(n * k, c.seed), n, k));
  // Every other case cuts the panels to ceil(K/64) 64-bit words, as the runtime's first layers do
  // (one word per plane for K ≤ 64: the kernels' own path); the words dropped are zero padding.
  const pairs = c.seed % 2 ? Math.ceil(k / 64) : packed.wordsPerRow / 2;
  const pw = { wordsPerRow: 2 * pairs, data: new Uint32Array(packed.panels * pairs * 8) };
  for (let p = 0; p < packed.panels; p++)
    pw.data.set(
      packed.data.subarray(p * packed.wordsPerRow * 4, ((p * packed.wordsPerRow) / 2 + pairs) * 8),
      p * pairs * 8,
    );
  const memory = new WebAssembly.Memory({ initial: 8 });
  const heap = new BitopsHeap(memory);
  const bytes = c.batch * c.height * c.width * c.channels;
  const input = heap.alloc(bytes + 1) + 1;
  heap.u8(input, bytes).set(Uint8Array.from(randomWords(bytes, c.seed + 1), (v) => v & 255));
  const w = heap.alloc(pw.data.byteLength);
  heap.u32(w, pw.data.length).set(pw.data);
  const kWords = pw.wordsPerRow;
  const scratch = heap.alloc(c.scratchRows * 32 * kWords);
  const p0 = heap.alloc(4 * n);
  const p1 = heap.alloc(4 * n);
  const outs = [heap.alloc(rows * 4 * n), heap.alloc(rows * 4 * n), heap.alloc(rows * 4 * n)];
  const args = (mode: GemmArgs["mode"], out: number): PlaneConvArgs => ({
    input,
    height: c.height,
    width: c.width,
    channels: c.channels,
    kernelH: c.kernelH,
    kernelW: c.kernelW,
    strideH: c.strideH,
    strideW: c.strideW,
    padTop: c.padTop,
    padLeft: c.padLeft,
    outH,
    outW,
    padValue: c.padValue,
    scratchRows: c.scratchRows,
    gemm: {
      mode,
      a: scratch,
      aStride: 32 * kWords,
      w,
      n,
      k,
      kWords,
      out,
      outStride: mode === "threshold" ? 16 * Math.ceil(n / 128) : 4 * n,
      p0: mode === "dot" ? 0 : p0,
      p1: mode === "dot" ? 0 : p1,
    },
  });
  const setEpilogue = (mode: GemmArgs["mode"]) => {
    if (mode === "threshold") {
      heap.i32(p0, n).set(Int32Array.from(randomValues(n, c.seed + 2), (v) => Math.round(v * k * 50)));
      heap.u8(p1, n).set(Uint8Array.from(randomValues(n, c.seed + 3), (v) => (v > 0 ? 1 : 0)));
    } else {
      heap.f32(p0, n).set(randomValues(n, c.seed + 4).map((v) => v * 0.3));
      heap.f32(p1, n).set(randomValues(n, c.seed + 5).map((v) => v * 7));
    }
  };
  return { memory, heap, rows, n, outs, args, setEpilogue };
}

describe.each(isas)("native %s bit-plane convolution", (isa) => {
  it.each(CASES)("%o equals wasm-i64 and the TypeScript kernels in every mode", (c) => {
    const { memory, heap, rows, n, outs, args, setEpilogue } = layout(c);
    const kernels: BitopsKernels[] = [
      createKernels({ backend: "native", memory, isa }),
      createKernels({ backend: "wasm-i64", memory }),
      createKernels({ backend: "typescript", memory }),
    ];
    for (const mode of ["dot", "threshold", "scaleBias"] as const) {
      setEpilogue(mode);
      const bytes = rows * 4 * n;
      kernels.forEach((kernel, i) => {
        heap.u8(outs[i]!, bytes).fill(0xa5);
        const a = args(mode, outs[i]!);
        const split = Math.floor(rows / 2);
        kernel.bitPlaneConv2dRows(a, 0, split);
        kernel.bitPlaneConv2dRows(a, split, rows);
      });
      expect(heap.u8(outs[0]!, bytes), mode).toEqual(heap.u8(outs[1]!, bytes));
      expect(heap.u8(outs[0]!, bytes), mode).toEqual(heap.u8(outs[2]!, bytes));
    }
  });

  it("refuses windows longer than the scratch rows, inputs past the memory and a bad pad byte", () => {
    const { memory, args } = layout(CASES[1]!);
    const native = createKernels({ backend: "native", memory, isa });
    const good = args("dot", 0);
    const bad: PlaneConvArgs[] = [
      { ...good, kernelH: good.kernelH + 40 }, // K > 32·kWords
      { ...good, input: memory.buffer.byteLength - 4 },
      { ...good, padValue: 256 },
      { ...good, strideW: 0 },
      { ...good, gemm: { ...good.gemm, aStride: 16 } },
    ];
    for (const b of bad)
      expect(() => native.bitPlaneConv2dRows(b, 0, 4)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
  });
});
