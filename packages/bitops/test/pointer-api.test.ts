import { describe, expect, it } from "vitest";
import {
  BitopsError,
  BitopsHeap,
  type GemmArgs,
  type PoolArgs,
  bconv2dRef,
  bgemmRef,
  bitPlaneGemmRef,
  bmaxPool2dRef,
  compileKernelModule,
  createKernels,
  encodeBitPlanes,
  getBackendInfo,
  initBitops,
  instantiateWasmKernels,
  isSharedMemory,
  kernelRowWords,
  packConvWeights,
  packImages,
  packSignsMatrix,
  prepackConvWeights,
  prepackWeights,
  setBackend,
  thresholdRef,
  windowGeometry,
} from "../src/index.js";
import { BACKENDS, randomBytes, randomValues } from "./backends.js";
import { convArgs } from "./conv-operands.js";

/** Lays out a GEMM in a heap the way a runtime would: once, then reused. */
function layout(heap: BitopsHeap, m: number, n: number, k: number, seed: number) {
  const A = packSignsMatrix(randomValues(m * k, seed), m, k, { wordMultiple: 4 });
  const W = packSignsMatrix(randomValues(n * k, seed + 1), n, k);
  const pw = prepackWeights(W);
  const kWords = kernelRowWords(k);
  const a = heap.alloc(m * kWords * 4);
  const w = heap.alloc(pw.data.byteLength);
  const out = heap.alloc(m * n * 4);
  heap.u32(a, A.data.length).set(A.data);
  heap.u32(w, pw.data.length).set(pw.data);
  const args: GemmArgs = {
    mode: "dot",
    a,
    aStride: kWords * 4,
    w,
    n,
    k,
    kWords,
    out,
    outStride: n * 4,
    p0: 0,
    p1: 0,
  };
  return { args, expected: bgemmRef(A, W) };
}

describe.each(BACKENDS)("pointer kernels, backend %s", (backend) => {
  it("row ranges compose: running rows in pieces equals one call", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory });
    expect(kernels.backend).toBe(backend);
    const { args, expected } = layout(heap, 11, 13, 300, 21);
    kernels.gemmRows(args, 0, 4);
    kernels.gemmRows(args, 4, 5);
    kernels.gemmRows(args, 5, 11);
    expect(heap.i32(args.out, 11 * 13)).toEqual(expected);
  });

  it("row ranges that straddle the kernels' 32-row blocks, and empty ranges, write exactly their rows", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory });
    const [m, n, k] = [70, 9, 129];
    const { args, expected } = layout(heap, m, n, k, 77);
    const sentinel = -0x7fff_fff0;
    heap.i32(args.out, m * n).fill(sentinel);
    kernels.gemmRows(args, 31, 33);
    const got = heap.i32(args.out, m * n);
    for (let i = 0; i < m * n; i++) {
      const row = Math.floor(i / n);
      expect(got[i]).toBe(row >= 31 && row < 33 ? expected[i] : sentinel);
    }
    kernels.gemmRows(args, 40, 40);
    expect(heap.i32(args.out + 40 * n * 4, n)).toEqual(new Int32Array(n).fill(sentinel));
    for (const [r0, r1] of [
      [0, 31],
      [33, 64],
      [64, 65],
      [65, 70],
    ] as const) {
      kernels.gemmRows(args, r0, r1);
    }
    expect(heap.i32(args.out, m * n)).toEqual(expected);
  });

  it("column ranges compose in every output mode, for batch-1 splits across workers", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory });
    const [m, n, k] = [3, 70, 200];
    const { args, expected } = layout(heap, m, n, k, 51);
    kernels.gemmRows(args, 0, m, 0, 32);
    kernels.gemmRows(args, 0, m, 32, 36);
    kernels.gemmRows(args, 0, m, 36, n);
    expect(heap.i32(args.out, m * n)).toEqual(expected);

    const thresholds = Int32Array.from({ length: n }, (_, j) => (j % 5) * 7 - 14);
    const flip = Uint8Array.from({ length: n }, (_, j) => (j % 3) & 1);
    const words = kernelRowWords(n);
    const p0 = heap.alloc(n * 4);
    const p1 = heap.alloc(n);
    const out = heap.alloc(m * words * 4);
    heap.i32(p0, n).set(thresholds);
    heap.u8(p1, n).set(flip);
    heap.u32(out, m * words).fill(0xffffffff);
    const t: GemmArgs = { ...args, mode: "threshold", out, outStride: words * 4, p0, p1 };
    kernels.gemmRows(t, 0, m, 64, n);
    kernels.gemmRows(t, 0, m, 0, 64);
    expect(heap.u32(out, m * words)).toEqual(thresholdRef(expected, m, n, thresholds, flip).data);
    expect(() => kernels.gemmRows(t, 0, m, 0, 48)).toThrowError(/multiples of 32/);
    expect(() => kernels.gemmRows(args, 0, m, 2, n)).toThrowError(/multiples of 4/);
  });

  it("bit-plane GEMM rows and columns split like the binary GEMM", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory });
    const [m, n, k] = [3, 9, 150];
    const kWords = kernelRowWords(k);
    const X = encodeBitPlanes(randomBytes(m * k, 61), m, k, 4);
    const W = packSignsMatrix(randomValues(n * k, 62), n, k);
    const pw = prepackWeights(W);
    const a = heap.alloc(X.data.byteLength);
    const w = heap.alloc(pw.data.byteLength);
    const out = heap.alloc(m * n * 4);
    heap.u32(a, X.data.length).set(X.data);
    heap.u32(w, pw.data.length).set(pw.data);
    const args: GemmArgs = {
      mode: "dot",
      a,
      aStride: 8 * kWords * 4,
      w,
      n,
      k,
      kWords,
      out,
      outStride: n * 4,
      p0: 0,
      p1: 0,
    };
    kernels.bitPlaneGemmRows(args, 0, 1);
    kernels.bitPlaneGemmRows(args, 1, m, 0, 4);
    kernels.bitPlaneGemmRows(args, 1, m, 4, n);
    expect(heap.i32(out, m * n)).toEqual(bitPlaneGemmRef(X, W));
  });

  it("bit-plane GEMM takes rows of any even word count (one 64-bit word per plane for K ≤ 64)", () => {
    for (const [m, n, k, seed] of [
      [5, 7, 25, 71],
      [1, 1, 1, 72],
      [4, 16, 64, 73],
      [3, 6, 100, 74],
    ] as const) {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const heap = new BitopsHeap(memory);
      const kernels = createKernels({ backend, memory });
      const pairs = Math.ceil(k / 64);
      const kWords = 2 * pairs;
      const X = encodeBitPlanes(randomBytes(m * k, seed), m, k, 2);
      const W = packSignsMatrix(randomValues(n * k, seed + 100), n, k);
      // The prepacked panels cut to `pairs` 64-bit words: the words dropped are zero padding.
      const pw = prepackWeights(W);
      const full = pw.wordsPerRow >>> 1;
      const trimmed = new Uint32Array(pw.panels * pairs * 8);
      for (let p = 0; p < pw.panels; p++)
        trimmed.set(pw.data.subarray(p * full * 8, (p * full + pairs) * 8), p * pairs * 8);
      const a = heap.alloc(X.data.byteLength);
      const w = heap.alloc(trimmed.byteLength);
      const out = heap.alloc(m * n * 4);
      heap.u32(a, X.data.length).set(X.data);
      heap.u32(w, trimmed.length).set(trimmed);
      const args: GemmArgs = {
        mode: "dot",
        a,
        aStride: 8 * kWords * 4,
        w,
        n,
        k,
        kWords,
        out,
        outStride: n * 4,
        p0: 0,
        p1: 0,
      };
      kernels.bitPlaneGemmRows(args, 0, 1);
      kernels.bitPlaneGemmRows(args, 1, m);
      expect(heap.i32(out, m * n)).toEqual(bitPlaneGemmRef(X, W));
    }
  });

  it("runs over a shared memory (the form worker threads share)", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true });
    expect(isSharedMemory(memory)).toBe(true);
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory });
    const { args, expected } = layout(heap, 6, 9, 1000, 31);
    kernels.gemmRows(args, 0, 6);
    expect(Int32Array.from(heap.i32(args.out, 6 * 9))).toEqual(expected);
  });
});

describe("module instantiation for workers", () => {
  it("a compiled module instantiates again over the same shared memory", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 256, shared: true });
    const heap = new BitopsHeap(memory);
    const module = compileKernelModule("wasm-i64", true);
    const first = instantiateWasmKernels(module, memory, "wasm-i64");
    const second = instantiateWasmKernels(module, memory, "wasm-i64");
    const { args, expected } = layout(heap, 8, 5, 129, 41);
    first.gemmRows(args, 0, 3);
    second.gemmRows(args, 3, 8);
    expect(Int32Array.from(heap.i32(args.out, 40))).toEqual(expected);
  });
});

describe("BitopsHeap", () => {
  it("hands out aligned, non-overlapping blocks, reuses freed ones and grows the memory", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new BitopsHeap(memory, 64);
    const a = heap.alloc(10);
    const b = heap.alloc(100_000);
    const c = heap.alloc(16);
    expect(a).toBe(64);
    expect([a % 16, b % 16, c % 16]).toEqual([0, 0, 0]);
    expect(b).toBeGreaterThanOrEqual(a + 16);
    expect(c).toBeGreaterThanOrEqual(b + 100_000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(c + 16);
    heap.free(b);
    expect(heap.alloc(50_000)).toBe(b);
    expect(heap.alloc(48_000)).toBe(b + 50_000);
    expect(() => heap.free(12345)).toThrowError(BitopsError);
    expect(heap.allocatedBytes).toBe(16 + 50_000 + 48_000 + 16);
  });

  it("reports a memory that cannot grow as OUT_OF_MEMORY", () => {
    const heap = new BitopsHeap(new WebAssembly.Memory({ initial: 1, maximum: 1 }));
    expect(heap.alloc(1000)).toBe(16);
    try {
      heap.alloc(70_000);
      expect.unreachable();
    } catch (e) {
      expect((e as BitopsError).code).toBe("OUT_OF_MEMORY");
    }
  });
});

describe("backend selection", () => {
  it("initBitops compiles asynchronously and resolves the backend", async () => {
    const info = await initBitops();
    expect(info.backend).toBe(getBackendInfo().backend);
  });

  it("reports the chosen backend, features and reason; forced choices stick", () => {
    const auto = setBackend("auto");
    expect(["wasm-i64", "wasm-simd", "typescript"]).toContain(auto.backend);
    expect(auto.wasm).toBe(true);
    expect(auto.reason.length).toBeGreaterThan(0);
    if (auto.simd) expect(auto.measured?.["wasm-i64"]).toBeGreaterThan(0);
    expect(setBackend("typescript").backend).toBe("typescript");
    expect(getBackendInfo().reason).toMatch(/forced/);
    expect(() => setBackend("gpu" as never)).toThrowError(/unknown backend/);
    setBackend("auto");
  });
});

describe.each(BACKENDS)("packSignsRows, backend %s", (backend) => {
  it("packs float32 rows by sign into zero-padded kernel rows, like packSignsMatrix", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory });
    for (const [rows, cols] of [
      [1, 1],
      [3, 31],
      [2, 32],
      [5, 100],
      [2, 4096],
    ] as const) {
      const values = randomValues(rows * cols, rows * 1000 + cols);
      values[0] = -0; // sign(−0) = +1
      const words = kernelRowWords(cols);
      const src = heap.alloc(rows * cols * 4);
      const out = heap.alloc(rows * words * 4);
      heap.f32(src, rows * cols).set(values);
      heap.u32(out, rows * words).fill(0xffffffff);
      kernels.packSignsRows({ src, srcStride: cols * 4, cols, out, outStride: words * 4 }, 0, rows);
      expect(heap.u32(out, rows * words)).toEqual(
        packSignsMatrix(values, rows, cols, { wordMultiple: 4 }).data,
      );
      heap.free(out);
      heap.free(src);
    }
  });
});

describe.each(BACKENDS)("conv2dRows and maxPool2dRows, backend %s", (backend) => {
  it("chunked im2col (small scratch) over split pixel ranges equals the reference", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new BitopsHeap(memory);
    const kernels = createKernels({ backend, memory });
    const [batch, height, width, channels, outChannels] = [2, 6, 5, 45, 7];
    const x = packImages(randomValues(batch * height * width * channels, 71), batch, height, width, channels);
    const cw = packConvWeights(randomValues(outChannels * 9 * channels, 72), outChannels, 3, 3, channels);
    const pw = prepackConvWeights(cw);
    const options = { stride: 2, padding: "same" as const };
    const g = windowGeometry(height, width, 3, 3, options);
    const pixels = batch * g.outH * g.outW;
    const scratchRows = 5;
    const input = heap.alloc(x.data.byteLength);
    const scratch = heap.alloc(scratchRows * pw.wordsPerRow * 4);
    const w = heap.alloc(pw.data.byteLength);
    const out = heap.alloc(pixels * outChannels * 4);
    heap.u32(input, x.data.length).set(x.data);
    heap.u32(w, pw.data.length).set(pw.data);
    const args = convArgs(
      x,
      input,
      cw,
      g,
      {
        mode: "dot",
        a: scratch,
        aStride: pw.wordsPerRow * 4,
        w,
        n: outChannels,
        k: pw.cols,
        kWords: pw.wordsPerRow,
        out,
        outStride: outChannels * 4,
        p0: 0,
        p1: 0,
      },
      scratchRows,
    );
    kernels.conv2dRows(args, 0, 7);
    kernels.conv2dRows(args, 7, pixels);
    expect(heap.i32(out, pixels * outChannels)).toEqual(bconv2dRef(x, cw, options));

    const pg = windowGeometry(height, width, 2, 2, { stride: 2, padding: "same" });
    const pooled = heap.alloc(batch * pg.outH * pg.outW * x.wordsPerPixel * 4);
    const pool: PoolArgs = {
      input,
      height,
      width,
      wordsPerPixel: x.wordsPerPixel,
      poolH: 2,
      poolW: 2,
      stride: 2,
      padTop: pg.padTop,
      padLeft: pg.padLeft,
      outH: pg.outH,
      outW: pg.outW,
      out: pooled,
    };
    const poolPixels = batch * pg.outH * pg.outW;
    kernels.maxPool2dRows(pool, 0, 3);
    kernels.maxPool2dRows(pool, 3, poolPixels);
    expect(heap.u32(pooled, poolPixels * x.wordsPerPixel)).toEqual(
      bmaxPool2dRef(x, { size: 2, stride: 2, padding: "same" }).data,
    );
  });
});
