// The native binary GEMM in every output mode, for every ISA this CPU runs: byte-for-byte equal to
// the WebAssembly kernel (wasm-i64) over the same memory, and equal to the reference for the dots.
import {
  BitopsError,
  BitopsHeap,
  type GemmArgs,
  createKernels,
  scaleBiasRef,
  thresholdRef,
} from "@onebit/bitops";
import { describe, expect, it } from "vitest";
import { gemmLayout, isas, mustRun, pick, status, withOutput } from "./support.js";

// Edge shapes (M = 1, N = 1, K around 64 and 512) and seeded random ones.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 1, 4097],
  [1, 5, 63],
  [3, 1, 64],
  [2, 7, 65],
  [5, 33, 511],
  [9, 17, 512],
  [4, 70, 513],
  [17, 9, 1000],
  [1, 300, 2049],
  [33, 130, 2047],
  [64, 64, 4096],
  ...Array.from({ length: 12 }, (_, i): [number, number, number] => [
    pick(100 + i, 1, 40),
    pick(200 + i, 1, 150),
    pick(300 + i, 1, 3000),
  ]),
];

describe("the native addon on this machine", () => {
  it("loads where this repository builds a binary (x64 Linux), else says why not", () => {
    if (mustRun) expect(status.available, status.reason).toBe(true);
    expect(status.reason.length).toBeGreaterThan(0);
  });
});

for (const isa of isas) {
  describe(`native ${isa} GEMM`, () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new BitopsHeap(memory);
    const native = createKernels({ backend: "native", memory, isa });
    const wasm = createKernels({ backend: "wasm-i64", memory });

    it.each(SHAPES)("M=%i N=%i K=%i: every epilogue equals wasm-i64 and the reference", (m, n, k) => {
      const l = gemmLayout(heap, m, n, k, m * 7919 + n * 31 + k);
      for (const mode of [l.dot, l.threshold, l.scaleBias]) {
        const mine = withOutput(heap, mode, m);
        const theirs = withOutput(heap, mode, m);
        native.gemmRows(mine, 0, m);
        wasm.gemmRows(theirs, 0, m);
        const bytes = m * mode.outStride;
        expect(heap.u8(mine.out, bytes)).toEqual(heap.u8(theirs.out, bytes));
        if (mode.mode === "dot") expect(heap.i32(mine.out, m * n)).toEqual(l.expected);
        if (mode.mode === "scaleBias")
          expect(heap.f32(mine.out, m * n)).toEqual(scaleBiasRef(l.expected, m, n, l.scales, l.biases));
        if (mode.mode === "threshold") {
          const bits = thresholdRef(l.expected, m, n, l.thresholds, l.flips);
          expect(heap.u32(mine.out, (m * mode.outStride) / 4)).toEqual(bits.data);
        }
      }
    });

    it("row and column ranges compose to the whole result in every mode", () => {
      const [m, n, k] = [37, 75, 777];
      const l = gemmLayout(heap, m, n, k, 4242);
      for (const mode of [l.dot, l.threshold, l.scaleBias]) {
        const whole = withOutput(heap, mode, m);
        const parts = withOutput(heap, mode, m);
        native.gemmRows(whole, 0, m);
        const split = mode.mode === "threshold" ? 32 : 8;
        for (const [r0, r1] of [
          [0, 1],
          [1, 5],
          [5, 5],
          [5, m],
        ] as const) {
          native.gemmRows(parts, r0, r1, 0, split);
          native.gemmRows(parts, r0, r1, split, n);
        }
        const bytes = m * mode.outStride;
        expect(heap.u8(parts.out, bytes)).toEqual(heap.u8(whole.out, bytes));
      }
    });

    it("a shared memory (worker threads' case) gives the same results", () => {
      const shared = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
      const sheap = new BitopsHeap(shared);
      const kernels = createKernels({ backend: "native", memory: shared, isa });
      const l = gemmLayout(sheap, 6, 41, 300, 99);
      const out = withOutput(sheap, l.dot, 6);
      kernels.gemmRows(out, 0, 6);
      expect(sheap.i32(out.out, 6 * 41)).toEqual(l.expected);
    });

    it("a descriptor reaching outside the memory throws BitopsError and writes nothing", () => {
      const l = gemmLayout(heap, 2, 8, 128, 5);
      const out = withOutput(heap, l.dot, 2);
      const before = heap.u8(0, memory.buffer.byteLength).slice();
      const bad: GemmArgs[] = [
        { ...out, out: memory.buffer.byteLength - 8 },
        { ...out, a: memory.buffer.byteLength - 16 },
        { ...out, w: memory.buffer.byteLength - 64 },
        { ...out, aStride: 2 ** 31 },
        { ...l.threshold, p0: memory.buffer.byteLength },
        { ...out, n: -1 },
      ];
      for (const args of bad) {
        expect(() => native.gemmRows(args, 0, 2)).toThrow(BitopsError);
      }
      expect(Buffer.compare(heap.u8(0, memory.buffer.byteLength), before)).toBe(0);
    });
  });
}

describe("native ISA selection", () => {
  it.runIf(status.available)("forcing an ISA this CPU cannot run is refused with the ISAs it can", () => {
    const missing = (["avx512", "avx2", "neon", "scalar"] as const).find((i) => !isas.includes(i));
    if (!missing) return;
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(() => createKernels({ backend: "native", memory, isa: missing })).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED", message: expect.stringContaining(isas[0]!) }),
    );
  });
});
