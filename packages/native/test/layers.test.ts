// The other kernels the runtime's hot paths call, per ISA: binary convolution (im2col + GEMM, and
// the direct 1×1 path), the bit-plane first layer, packed max-pool and sign packing — against the
// references through @onebit/bitops' high-level functions, and byte-for-byte against wasm-i64
// through the pointer API.
import {
  BitopsHeap,
  type GemmArgs,
  bconv2d,
  bconv2dRef,
  bconv2dScaleBias,
  bconv2dThreshold,
  bitPlaneGemm,
  bitPlaneGemmRef,
  bitPlaneGemmScaleBias,
  bitPlaneGemmThreshold,
  bmaxPool2d,
  bmaxPool2dRef,
  createKernels,
  encodeBitPlanes,
  packConvWeights,
  packImages,
  packSignsMatrix,
  prepackConvWeights,
  prepackWeights,
  setBackend,
} from "@onebit/bitops";
import { afterAll, describe, expect, it } from "vitest";
import { isas, pick, randomValues, randomWords, withIsa } from "./support.js";

afterAll(() => {
  setBackend("auto");
});

/** Runs `f` on the native kernels of `isa` and on wasm-i64; both results. */
function both<T>(isa: (typeof isas)[number], f: () => T): [T, T] {
  const native = withIsa(isa, () => {
    const info = setBackend("native");
    expect([info.backend, info.native.isa]).toEqual(["native", isa]);
    return f();
  });
  setBackend("wasm-i64");
  const wasm = f();
  setBackend("auto");
  return [native, wasm];
}

const CONVS = Array.from({ length: 14 }, (_, i) => ({
  batch: pick(10 + i, 1, 2),
  height: pick(20 + i, 1, 9),
  width: pick(30 + i, 1, 9),
  channels: [1, 3, 31, 32, 33, 64, 100, 128][i % 8]!,
  outChannels: pick(40 + i, 1, 70),
  kernel: [1, 3, 5][i % 3]!,
  stride: (i % 4 === 3 ? 2 : 1) as number,
  padding: i % 2 ? ("same" as const) : ("valid" as const),
  seed: 1000 + i,
}));

for (const isa of isas) {
  describe(`native ${isa} layers`, () => {
    it.each(CONVS)("binary convolution %o equals the reference and wasm-i64 in every epilogue", (c) => {
      const kernel = c.padding === "valid" ? Math.min(c.kernel, c.height, c.width) : c.kernel;
      const x = packImages(
        randomValues(c.batch * c.height * c.width * c.channels, c.seed),
        c.batch,
        c.height,
        c.width,
        c.channels,
      );
      const cw = packConvWeights(
        randomValues(c.outChannels * kernel * kernel * c.channels, c.seed + 1),
        c.outChannels,
        kernel,
        kernel,
        c.channels,
      );
      const w = prepackConvWeights(cw);
      const options = { stride: c.stride, padding: c.padding };
      const k = kernel * kernel * c.channels;
      const thresholds = Int32Array.from(randomValues(c.outChannels, c.seed + 2), (v) =>
        Math.round(v * k * 0.3),
      );
      const flips = Uint8Array.from(randomValues(c.outChannels, c.seed + 3), (v) => (v > 0 ? 1 : 0));
      const scales = randomValues(c.outChannels, c.seed + 4);
      const biases = randomValues(c.outChannels, c.seed + 5).map((v) => v * 9);
      const [dots, dotsWasm] = both(isa, () => bconv2d(x, w, options));
      expect(dots).toEqual(bconv2dRef(x, cw, options));
      expect(dots).toEqual(dotsWasm);
      const [bits, bitsWasm] = both(isa, () => bconv2dThreshold(x, w, thresholds, flips, options).data);
      expect(bits).toEqual(bitsWasm);
      const [floats, floatsWasm] = both(isa, () => bconv2dScaleBias(x, w, scales, biases, options));
      expect(floats).toEqual(floatsWasm);
    });

    it.each([1, 2, 5, 8, 27, 64, 75, 200, 513, 784])(
      "bit-plane first layer, K=%i, equals the reference and wasm-i64",
      (k) => {
        const m = pick(k, 1, 9);
        const n = pick(k + 1, 1, 40);
        const bytes = Uint8Array.from(randomWords(m * k, k + 2), (v) => v & 255);
        const x = encodeBitPlanes(bytes, m, k);
        const W = packSignsMatrix(randomValues(n * k, k + 3), n, k);
        const pw = prepackWeights(W);
        const [dots, dotsWasm] = both(isa, () => bitPlaneGemm(x, pw));
        expect(dots).toEqual(bitPlaneGemmRef(x, W));
        expect(dots).toEqual(dotsWasm);
        const thresholds = Int32Array.from(randomValues(n, k + 4), (v) => Math.round(v * k * 100));
        const flips = Uint8Array.from(randomValues(n, k + 5), (v) => (v > 0 ? 1 : 0));
        const [bits, bitsWasm] = both(isa, () => bitPlaneGemmThreshold(x, pw, thresholds, flips).data);
        expect(bits).toEqual(bitsWasm);
        const scales = randomValues(n, k + 6);
        const biases = randomValues(n, k + 7);
        const [floats, floatsWasm] = both(isa, () => bitPlaneGemmScaleBias(x, pw, scales, biases));
        expect(floats).toEqual(floatsWasm);
      },
    );

    it("bit-plane GEMM over raw planes of any even word count equals wasm-i64 byte for byte", () => {
      const memory = new WebAssembly.Memory({ initial: 4 });
      const heap = new BitopsHeap(memory);
      const native = createKernels({ backend: "native", memory, isa });
      const wasm = createKernels({ backend: "wasm-i64", memory });
      for (const [m, n, kWords] of [
        [1, 1, 2],
        [3, 9, 2],
        [4, 17, 6],
        [2, 33, 8],
        [9, 70, 26],
        [5, 16, 3 * 2],
      ] as const) {
        const a = heap.alloc(m * 8 * kWords * 4);
        heap.u32(a, m * 8 * kWords).set(randomWords(m * 8 * kWords, m + n));
        const w = heap.alloc(Math.ceil(n / 4) * kWords * 16);
        heap.u32(w, Math.ceil(n / 4) * kWords * 4).set(randomWords(Math.ceil(n / 4) * kWords * 4, n));
        const args: GemmArgs = {
          mode: "dot",
          a,
          aStride: 8 * kWords * 4,
          w,
          n,
          k: 0,
          kWords,
          out: 0,
          outStride: n * 4,
          p0: 0,
          p1: 0,
        };
        const mine = heap.alloc(m * n * 4);
        const theirs = heap.alloc(m * n * 4);
        native.bitPlaneGemmRows({ ...args, out: mine }, 0, m);
        wasm.bitPlaneGemmRows({ ...args, out: theirs }, 0, m);
        expect(heap.i32(mine, m * n)).toEqual(heap.i32(theirs, m * n));
      }
    });

    it.each([
      [1, 5, 5, 1, 2, 2, "valid"],
      [2, 7, 9, 33, 3, 2, "same"],
      [1, 8, 8, 64, 2, 2, "valid"],
      [3, 4, 6, 100, 3, 1, "same"],
    ] as const)(
      "max-pool batch=%i %i×%i×%i, pool %i stride %i %s, equals the reference and wasm-i64",
      (batch, h, w, ch, size, stride, padding) => {
        const x = packImages(randomValues(batch * h * w * ch, h * w + ch), batch, h, w, ch);
        const options = { size, stride, padding };
        const [y, yWasm] = both(isa, () => bmaxPool2d(x, options).data);
        expect(y).toEqual(bmaxPool2dRef(x, options).data);
        expect(y).toEqual(yWasm);
      },
    );

    it("window geometry whose sizes overflow 64 bits is refused, not wrapped around", () => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const native = createKernels({ backend: "native", memory, isa });
      // 2^30 · 2^30 · 16 words · 4 bytes = 2^66 bytes per image: 0 when wrapped to 64 bits.
      const pool = {
        input: 0,
        height: 2 ** 30,
        width: 2 ** 30,
        wordsPerPixel: 16,
        poolH: 2,
        poolW: 2,
        stride: 1,
        padTop: 0,
        padLeft: 0,
        outH: 1,
        outW: 1,
        out: 64,
      };
      expect(() => native.maxPool2dRows(pool, 0, 1)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
      const gemm: GemmArgs = {
        mode: "dot",
        a: 0,
        aStride: 16,
        w: 0,
        n: 4,
        k: 64,
        kWords: 2 ** 32 - 2,
        out: 0,
        outStride: 16,
        p0: 0,
        p1: 0,
      };
      expect(() => native.gemmRows(gemm, 0, 1)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
    });

    it("packing float rows by sign equals wasm-i64 (−0 and NaN give 1, rows zero-filled)", () => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const heap = new BitopsHeap(memory);
      const native = createKernels({ backend: "native", memory, isa });
      const wasm = createKernels({ backend: "wasm-i64", memory });
      for (const cols of [1, 31, 32, 33, 100, 257]) {
        const rows = 3;
        const values = randomValues(rows * cols, cols);
        values[0] = -0;
        values[cols - 1] = Number.NaN;
        const src = heap.alloc(rows * cols * 4);
        heap.f32(src, rows * cols).set(values);
        const outStride = Math.ceil(cols / 128) * 16;
        const mine = heap.alloc(rows * outStride);
        const theirs = heap.alloc(rows * outStride);
        heap.u8(mine, rows * outStride).fill(0xff);
        heap.u8(theirs, rows * outStride).fill(0x11);
        native.packSignsRows({ src, srcStride: cols * 4, cols, out: mine, outStride }, 0, rows);
        wasm.packSignsRows({ src, srcStride: cols * 4, cols, out: theirs, outStride }, 0, rows);
        expect(heap.u8(mine, rows * outStride)).toEqual(heap.u8(theirs, rows * outStride));
      }
    });
  });
}
