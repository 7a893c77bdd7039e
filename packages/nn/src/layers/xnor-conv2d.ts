import { type ConvArgs, lastWordMask, prepackConvWeights } from "@onebit/bitops";
import {
  activeNativeTrainKernels,
  type Conv2dParams,
  conv2dOutputShape,
  nativeThreads,
} from "@onebit/tensor";
import { type SharedXnorKernels, sharedXnorKernels } from "./xnor-kernels.js";

/** Output pixels per im2col chunk of the packed convolution (scratch = this many kernel rows). */
const SCRATCH_ROWS = 256;

/**
 * y = conv(sign(x), sign(W)) for a convolution whose inputs and kernel are both binarized and whose
 * padding is +1 (or none), computed with @onebit/bitops' XNOR-popcount convolution: the exact
 * integer dots the float convolution of ±1 values gives, at a fraction of its cost. The weights are
 * re-packed from their signs on every forward, since training changes them.
 */
export class XnorConv2d {
  private readonly wordsPerPixel: number;
  private readonly outH: number;
  private readonly outW: number;
  private readonly padTop: number;
  private readonly padLeft: number;
  private readonly pixelBits: Uint32Array;
  private srcPtr = -1;
  private inPtr = -1;
  private outPtr = -1;
  private wPtr = -1;
  private scratchPtr = -1;
  private capacity = 0;
  private weightWords = 0;
  private rowWords = 0;

  private constructor(
    private readonly s: SharedXnorKernels,
    private readonly p: Conv2dParams,
  ) {
    this.wordsPerPixel = Math.ceil(p.inC / 32);
    const g = conv2dOutputShape(p);
    this.outH = g.outH;
    this.outW = g.outW;
    this.padTop = g.padTop;
    this.padLeft = g.padLeft;
    this.pixelBits = new Uint32Array(p.outC * p.kernelH * p.kernelW * this.wordsPerPixel);
  }

  /**
   * An XNOR convolution for these parameters (batch ignored), or undefined where the packed kernels
   * cannot compute it: no WebAssembly or native kernels, unequal strides, or padding other than +1.
   */
  static create(p: Conv2dParams): XnorConv2d | undefined {
    if (p.strideH !== p.strideW) return undefined;
    if (p.padding === "same" && (p.padValue ?? 0) !== 1) return undefined;
    const s = sharedXnorKernels();
    return s ? new XnorConv2d(s, p) : undefined;
  }

  /** The kernel rows, one per output channel, in the panel layout, from ±1 HWIO `signs`. */
  private packWeights(signs: Float32Array): Uint32Array {
    const { inC, outC, kernelH, kernelW } = this.p;
    const wpp = this.wordsPerPixel;
    const taps = kernelH * kernelW;
    const bits = this.pixelBits;
    bits.fill(0);
    // HWIO floats → OHWI bits: tap t, channel c, output o lands in word (o·taps + t)·wpp + c/32.
    for (let t = 0; t < taps; t++) {
      for (let c = 0; c < inC; c++) {
        const row = (t * inC + c) * outC;
        const bit = 1 << (c & 31);
        const word = t * wpp + (c >>> 5);
        for (let o = 0; o < outC; o++) if (signs[row + o]! >= 0) bits[o * taps * wpp + word]! |= bit;
      }
    }
    const packed = prepackConvWeights({
      outChannels: outC,
      kernelH,
      kernelW,
      inChannels: inC,
      wordsPerPixel: wpp,
      data: bits,
    });
    this.rowWords = packed.wordsPerRow;
    return packed.data;
  }

  private ensure(batch: number, weights: number): void {
    const heap = this.s.heap;
    const { inH, inW, inC, outC } = this.p;
    if (this.wPtr < 0) {
      this.weightWords = weights;
      this.wPtr = heap.alloc(weights * 4);
      this.scratchPtr = heap.alloc(SCRATCH_ROWS * this.rowWords * 4);
    }
    if (batch > this.capacity) {
      if (this.srcPtr >= 0) {
        heap.free(this.srcPtr);
        heap.free(this.inPtr);
        heap.free(this.outPtr);
      }
      const pixels = batch * inH * inW;
      this.srcPtr = heap.alloc(pixels * inC * 4);
      this.inPtr = heap.alloc(pixels * this.wordsPerPixel * 4);
      this.outPtr = heap.alloc(batch * this.outH * this.outW * outC * 4);
      this.capacity = batch;
    }
  }

  /** y (NHWC, batch·outH·outW·outC) = conv(xq, signs) for ±1 inputs xq and ±1 HWIO weights `signs`. */
  forward(xq: Float32Array, signs: Float32Array, batch: number, y: Float32Array): void {
    const { inH, inW, inC, outC, kernelH, kernelW, strideH } = this.p;
    const panels = this.packWeights(signs);
    const native = activeNativeTrainKernels();
    if (native) {
      // On the caller's arrays, split among threads: no copies into WebAssembly memory.
      const geometry = Int32Array.of(
        batch,
        inH,
        inW,
        inC,
        kernelH,
        kernelW,
        strideH,
        strideH,
        this.padTop,
        this.padLeft,
        this.outH,
        this.outW,
      );
      native.xnorConv2dF32(xq, panels, geometry, outC, this.rowWords, y, nativeThreads());
      return;
    }
    this.ensure(batch, panels.length);
    const { heap, kernels } = this.s;
    const wpp = this.wordsPerPixel;
    const pixels = batch * inH * inW;
    const rows = batch * this.outH * this.outW;
    heap.u32(this.wPtr, this.weightWords).set(panels);
    heap.f32(this.srcPtr, pixels * inC).set(xq.subarray(0, pixels * inC));
    kernels.packSignsRows(
      { src: this.srcPtr, srcStride: inC * 4, cols: inC, out: this.inPtr, outStride: wpp * 4 },
      0,
      pixels,
    );
    const args: ConvArgs = {
      input: this.inPtr,
      height: inH,
      width: inW,
      wordsPerPixel: wpp,
      lastWordMask: lastWordMask(inC) >>> 0,
      kernelH,
      kernelW,
      stride: strideH,
      padTop: this.padTop,
      padLeft: this.padLeft,
      outH: this.outH,
      outW: this.outW,
      gemm: {
        mode: "dot",
        a: this.scratchPtr,
        aStride: this.rowWords * 4,
        w: this.wPtr,
        n: outC,
        k: kernelH * kernelW * inC,
        kWords: this.rowWords,
        out: this.outPtr,
        outStride: outC * 4,
        p0: 0,
        p1: 0,
      },
      scratchRows: SCRATCH_ROWS,
    };
    kernels.conv2dRows(args, 0, rows);
    y.set(heap.i32(this.outPtr, rows * outC));
  }
}
