import { bitsToFloat } from "./quantized-kernel.js";
import { SignPacker } from "./sign-packer.js";
import { kernelRowWords, PANEL_COLUMNS } from "@onebit/bitops";
import { activeNativeTrainKernels, nativeThreads } from "@onebit/tensor";
import { type SharedXnorKernels, sharedXnorKernels } from "./xnor-kernels.js";

/**
 * y = sign(x)·sign(W) for a dense layer whose inputs and kernel are both binarized, computed with
 * @onebit/bitops' XNOR-popcount GEMM: the result is the exact integer dot the float product gives,
 * at a fraction of its cost. Weights are re-packed (transposed into the kernels' panel layout)
 * from the latent kernel [K, N] on every forward, since training changes them.
 */
export class XnorDense {
  private readonly kWords: number;
  private readonly weightWords: number;
  private wPtr = -1;
  private srcPtr = -1;
  private aPtr = -1;
  private outPtr = -1;
  private capacity = 0;
  /** One 32-row word per output while packing. */
  private readonly words: Int32Array;

  private constructor(
    private readonly s: SharedXnorKernels,
    readonly k: number,
    readonly n: number,
  ) {
    this.kWords = kernelRowWords(k);
    this.weightWords = Math.ceil(n / PANEL_COLUMNS) * this.kWords * PANEL_COLUMNS;
    this.words = new Int32Array(n);
  }

  /** An XNOR product for K inputs and N outputs, or undefined where WebAssembly kernels are missing. */
  static create(k: number, n: number): XnorDense | undefined {
    const s = sharedXnorKernels();
    return s ? new XnorDense(s, k, n) : undefined;
  }

  private ensure(batch: number): void {
    const heap = this.s.heap;
    if (this.wPtr < 0) {
      this.wPtr = heap.alloc(this.weightWords * 4);
      // Padding words past K and missing columns of the last panel stay zero for good.
      heap.u32(this.wPtr, this.weightWords).fill(0);
    }
    if (batch > this.capacity) {
      if (this.srcPtr >= 0) {
        heap.free(this.srcPtr);
        heap.free(this.aPtr);
        heap.free(this.outPtr);
      }
      this.srcPtr = heap.alloc(batch * this.k * 4);
      this.aPtr = heap.alloc(batch * this.kWords * 4);
      this.outPtr = heap.alloc(batch * this.n * 4);
      this.capacity = batch;
    }
  }

  /**
   * Packs sign(W) of the latent kernel [K, N] (row-major) as N rows of K bits in panel layout, and
   * writes the same signs as ±1 floats into `signs` (the backward pass needs them): one pass.
   */
  private packWeights(latent: Float32Array, signs: Float32Array): number {
    const { k, n, kWords } = this;
    const dst = this.s.heap.u32(this.wPtr, this.weightWords);
    const packer = SignPacker.get();
    if (packer) return bitsToFloat(packer.packPanels(latent, k, n, kWords, signs, dst) >>> 0);
    return packSignPanelsTs(latent, k, n, kWords, signs, dst, this.words);
  }

  /**
   * y[b][o] = Σₖ sign(x[b][k])·sign(W[k][o]) for `batch` rows; sign(W) also lands in `signs`.
   * Returns max |W|.
   */
  forward(
    x: Float32Array,
    latent: Float32Array,
    batch: number,
    y: Float32Array,
    signs: Float32Array,
  ): number {
    this.ensure(batch);
    const maxAbs = this.packWeights(latent, signs);
    const { heap, kernels } = this.s;
    const { k, n, kWords } = this;
    const native = activeNativeTrainKernels();
    if (native) {
      // As a 1×1 convolution of 1×1 images, on the caller's arrays, rows split among threads.
      const geometry = Int32Array.of(batch, 1, 1, k, 1, 1, 1, 1, 0, 0, 1, 1);
      const panels = heap.u32(this.wPtr, this.weightWords);
      native.xnorConv2dF32(x, panels, geometry, n, kWords, y, nativeThreads());
      return maxAbs;
    }
    heap.f32(this.srcPtr, batch * k).set(x);
    kernels.packSignsRows(
      { src: this.srcPtr, srcStride: k * 4, cols: k, out: this.aPtr, outStride: kWords * 4 },
      0,
      batch,
    );
    kernels.gemmRows(
      {
        mode: "dot",
        a: this.aPtr,
        aStride: kWords * 4,
        w: this.wPtr,
        n,
        k,
        kWords,
        out: this.outPtr,
        outStride: n * 4,
        p0: 0,
        p1: 0,
      },
      0,
      batch,
    );
    y.set(heap.i32(this.outPtr, batch * n));
    return maxAbs;
  }
}

/**
 * `SignPacker.packPanels` in TypeScript (where WebAssembly SIMD is unavailable): signs of the latent
 * kernel [k, n] as ±1 floats into `signs`, the +1 bits of each column into `dst` (panel layout;
 * entries past K and N untouched), `words` scratch for one word per column. Returns max |latent|.
 */
export function packSignPanelsTs(
  latent: Float32Array,
  k: number,
  n: number,
  kWords: number,
  signs: Float32Array,
  dst: Uint32Array,
  words: Int32Array,
): number {
  const bits = new Int32Array(latent.buffer, latent.byteOffset, latent.length);
  const signBits = new Int32Array(signs.buffer, signs.byteOffset, signs.length);
  const half = kWords >>> 1;
  let maxBits = 0;
  // Row by row (sequential reads; a column walk would hit 32 rows 4·N bytes apart, which alias
  // in the L1 cache), accumulating each output's 32-row word, then scattering the words.
  for (let k0 = 0, wk = 0; k0 < k; k0 += 32, wk++) {
    words.fill(0);
    const k1 = Math.min(k, k0 + 32);
    for (let kk = k0; kk < k1; kk++) {
      const shift = kk - k0;
      const row = kk * n;
      for (let o = 0; o < n; o++) {
        const u = bits[row + o]!;
        const magnitude = u & 0x7fffffff;
        maxBits = Math.max(maxBits, magnitude);
        // Bit 1 for +1: sign bit clear, or −0.
        const negative = (u >>> 31) & ((magnitude + 0x7fffffff) >>> 31);
        words[o]! |= (negative ^ 1) << shift;
        signBits[row + o] = 0x3f800000 | (negative << 31);
      }
    }
    const t = wk >>> 1;
    const lane = wk & 1;
    for (let o = 0; o < n; o++)
      dst[(((o >>> 2) * half + t) * PANEL_COLUMNS + (o & 3)) * 2 + lane] = words[o]!;
  }
  return bitsToFloat(maxBits);
}
