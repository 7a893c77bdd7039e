import {
  type ConvArgs,
  type GemmArgs,
  type PackedWeights,
  kernelRowWords,
  prepackConvWeights,
  prepackWeights,
} from "@onebit/bitops";
import {
  type BitTensor,
  type GraphNode,
  type InputNode,
  type IntegerLayerOutput,
  type LayerOutput,
  type OnebitModel,
  type Pair,
  type Padding,
  type Tensor,
  type ValueInfo,
  windowAxis,
} from "@onebit/format";
import {
  CONV_OVERHEAD,
  NS_PER_BINARY_MAC,
  NS_PER_ELEMENT,
  NS_PER_FLOAT_MAC,
  NS_PER_PLANE_MAC,
} from "./cost-model.js";
import { RuntimeError } from "./errors.js";
import { type Addresses, CONTROL, layoutMemory } from "./memory-layout.js";
import { planeWeights } from "./plane-weights.js";
import type { BitsLayout, FloatEpilogue, GemmColumnSlice, OutputBinding, PlanData, Step } from "./plan.js";

// Graph → plan in three passes: lowering (here: each node becomes steps over abstract values, weights
// are prepacked into their kernel layout), layout (memory-layout.ts), and emission (steps with their
// final pointers). Cost constants live in cost-model.ts.

/** Target bytes of one im2col scratch chunk (stays in L2). */
const SCRATCH_CHUNK_BYTES = 64 * 1024;

type ValueKind = "float32" | "uint8" | "bits" | "planes";

interface Value {
  readonly kind: ValueKind;
  /** Bytes per sample. */
  readonly sampleBytes: number;
  /** Logical element count per sample (bits: ±1 values). */
  readonly elements: number;
  readonly bits?: BitsLayout;
  /** This value is another value's bytes under a new shape (flatten). */
  readonly aliasOf?: number;
}

type Builder = (a: Addresses) => Step;

/** What the engine shows about the plan beyond the steps (for inspection and result shaping). */
export interface CompiledPlan {
  readonly plan: PlanData;
  /** Weight bytes (in their kernel layout) and activation bytes per sample. */
  readonly weightBytes: number;
  readonly activationBytesPerSample: number;
  /** Index of the graph node whose value the plan outputs (the scores when the graph ends in softmax/argmax). */
  readonly outputNode: number;
  /** Writes the prepacked weights into a memory made for this plan. */
  fill(memory: WebAssembly.Memory): void;
}

export interface CompileOptions {
  /** Samples per pass (default: as many as fit in 64 MiB of activations, at most 256). */
  readonly capacity?: number;
  /** Per-thread scratch slots to prepare (the number of threads that may run the plan). */
  readonly threadSlots: number;
}

function fail(node: GraphNode, problem: string): never {
  throw new RuntimeError("UNSUPPORTED_MODEL", `node ${JSON.stringify(node.name)} (${node.op}): ${problem}`);
}

function bitsVector(k: number): BitsLayout {
  return { pixels: 1, channels: k, wpp: Math.ceil(k / 32), sampleWords: kernelRowWords(k) };
}

function bitsImage(h: number, w: number, c: number): BitsLayout {
  const wpp = Math.ceil(c / 32);
  return { pixels: h * w, channels: c, wpp, sampleWords: h * w * wpp };
}

function geometry(inH: number, inW: number, kernel: Pair, stride: Pair, padding: Padding) {
  const rows = windowAxis(inH, kernel[0], stride[0], padding);
  const cols = windowAxis(inW, kernel[1], stride[1], padding);
  return { outH: rows.out, outW: cols.out, padTop: rows.padBefore, padLeft: cols.padBefore };
}

class Lowering {
  readonly values: Value[] = [];
  readonly weights: ArrayBufferView[] = [];
  /** Bytes per thread slot of each scratch buffer (a function of the pass capacity, or fixed). */
  readonly scratch: ((capacity: number) => number)[] = [];
  readonly builders: Builder[] = [];
  private readonly tensors: ReadonlyMap<string, Tensor>;
  readonly input: InputNode;

  constructor(
    readonly model: OnebitModel,
    /** Threads the plan is made for (column-split GEMMs get one slice each). */
    readonly threadSlots: number,
  ) {
    this.tensors = model.tensors;
    this.input = model.graph.nodes[0] as InputNode;
  }

  addValue(v: Value): number {
    this.values.push(v);
    return this.values.length - 1;
  }
  addWeight(data: ArrayBufferView): number {
    this.weights.push(data);
    return this.weights.length - 1;
  }
  addScratch(bytes: number | ((capacity: number) => number)): number {
    this.scratch.push(typeof bytes === "number" ? () => bytes : bytes);
    return this.scratch.length - 1;
  }

  /** Output column bounds for the plan's threads (multiples of 32, last = n), or none when too narrow. */
  columnBounds(n: number): number[] | undefined {
    const threads = this.threadSlots;
    if (threads < 2 || n < 32 * threads) return undefined;
    return Array.from({ length: threads + 1 }, (_, t) =>
      t === threads ? n : Math.round((n * t) / threads / 32) * 32,
    );
  }

  /**
   * Column slices of a dense GEMM for the plan's threads, when each gets at least one 32-column
   * word. Threshold outputs need per-thread private rows (see `GemmColumnSlice`).
   */
  columnSlices(
    n: number,
    mode: GemmArgs["mode"],
  ): ((a: Addresses, full: GemmArgs) => GemmColumnSlice[]) | undefined {
    const bounds = this.columnBounds(n);
    if (!bounds) return undefined;
    const threads = this.threadSlots;
    const maxWords = Math.max(...bounds.slice(1).map((b, t) => Math.ceil((b - bounds[t]!) / 32)));
    const priv = mode === "threshold" ? this.addScratch((capacity) => capacity * maxWords * 4) : -1;
    return (a, full) =>
      bounds.slice(0, threads).map((c0, t) => {
        const cols = bounds[t + 1]! - c0;
        const w = full.w + (c0 / 4) * full.kWords * 16;
        if (mode !== "threshold") {
          return {
            args: { ...full, w, n: cols, out: full.out + 4 * c0, p0: full.p0 + 4 * c0, p1: full.p1 + 4 * c0 },
          };
        }
        const words = Math.ceil(cols / 32);
        return {
          args: {
            ...full,
            w,
            n: cols,
            out: a.scratch(priv, t),
            outStride: 4 * Math.max(words, 1),
            p0: full.p0 + 4 * c0,
            p1: full.p1 + c0,
          },
          copy: {
            dst: full.out + 4 * (c0 / 32),
            dstStride: full.outStride / 4,
            srcStride: Math.max(words, 1),
            words,
            // The last slice also zeroes the row's padding words (the next GEMM counts them).
            zero: t === threads - 1 ? full.outStride / 4 - (c0 / 32 + words) : 0,
          },
        };
      });
  }
  step(b: Builder): void {
    this.builders.push(b);
  }

  tensor<T extends Tensor>(ref: string): T {
    return this.tensors.get(ref) as T;
  }

  get last(): number {
    return this.values.length - 1;
  }
  value(id: number): Value {
    return this.values[id]!;
  }

  /** A float32 view of the current value (converting uint8 with the input normalization, bits to ±1). */
  asFloat(x: number): number {
    const v = this.value(x);
    if (v.kind === "float32") return x;
    const e = v.elements;
    const out = this.addValue({ kind: "float32", sampleBytes: 4 * e, elements: e });
    const norm = this.input.normalization ?? { scale: 1, offset: 0 };
    const source = v.kind === "uint8" ? "uint8" : "bits";
    this.step((a) => ({
      op: "toFloat",
      node: "(convert)",
      rowsPerSample: 1,
      costPerRow: e * NS_PER_ELEMENT,
      source,
      src: a.value(x),
      dst: a.value(out),
      elements: e,
      scale: norm.scale,
      offset: norm.offset,
      ...(v.bits ? { layout: v.bits } : {}),
    }));
    return out;
  }

  /** The float epilogue of a float layer and the value it produces (vector or image of `units`). */
  floatOutput(
    output: LayerOutput,
    units: number,
    pixels: number,
    h: number,
    w: number,
  ): { value: number; epilogue: (a: Addresses) => FloatEpilogue } {
    if (output.kind === "float32") {
      const value = this.addValue({
        kind: "float32",
        sampleBytes: 4 * units * pixels,
        elements: units * pixels,
      });
      return { value, epilogue: () => ({ kind: "float32" }) };
    }
    if (output.kind !== "bits")
      throw new RuntimeError("UNSUPPORTED_MODEL", "float layers output float32 or bits");
    const layout = pixels === 1 && h === 0 ? bitsVector(units) : bitsImage(h, w, units);
    const value = this.addValue({
      kind: "bits",
      sampleBytes: 4 * layout.sampleWords,
      elements: units * pixels,
      bits: layout,
    });
    const t = this.addWeight(this.tensor<Tensor>(output.thresholds).data);
    const f = this.addWeight(this.flips(output.flip, units));
    const rowWords = pixels === 1 && h === 0 ? layout.sampleWords : layout.wpp;
    return {
      value,
      epilogue: (a) => ({ kind: "bits", thresholds: a.weight(t), flip: a.weight(f), rowWords }),
    };
  }

  flips(ref: string | undefined, units: number): Uint8Array {
    return ref === undefined ? new Uint8Array(units) : (this.tensor<Tensor>(ref).data as Uint8Array);
  }

  /** GEMM epilogue parameters of an integer layer and the value it produces. */
  integerOutput(
    output: IntegerLayerOutput,
    units: number,
    pixels: number,
    image: { h: number; w: number } | undefined,
  ): { value: number; mode: GemmArgs["mode"]; outStride: number; p0: number; p1: number } {
    if (output.kind === "scaleBias") {
      const value = this.addValue({
        kind: "float32",
        sampleBytes: 4 * units * pixels,
        elements: units * pixels,
      });
      return {
        value,
        mode: "scaleBias",
        outStride: 4 * units,
        p0: this.addWeight(this.tensor<Tensor>(output.scale).data),
        p1: this.addWeight(this.tensor<Tensor>(output.bias).data),
      };
    }
    const layout = image ? bitsImage(image.h, image.w, units) : bitsVector(units);
    const value = this.addValue({
      kind: "bits",
      sampleBytes: 4 * layout.sampleWords,
      elements: units * pixels,
      bits: layout,
    });
    return {
      value,
      mode: "threshold",
      outStride: 4 * (image ? layout.wpp : layout.sampleWords),
      p0: this.addWeight(this.tensor<Tensor>(output.thresholds).data),
      p1: this.addWeight(this.flips(output.flip, units)),
    };
  }
}

/** Rows of a `bit [O, …, C]` tensor regrouped as O rows of `groups·wpp` words (each group's C bits in wpp words). */
function groupedRows(t: BitTensor, outputs: number, groups: number, wpp: number): Uint32Array {
  const { wordsPerRow } = t.layout;
  if (wordsPerRow === wpp) return t.data.subarray(0, outputs * groups * wpp);
  const out = new Uint32Array(outputs * groups * wpp);
  for (let r = 0; r < outputs * groups; r++)
    out.set(t.data.subarray(r * wordsPerRow, r * wordsPerRow + wpp), r * wpp);
  return out;
}

/** Conv weights `[O, taps, C]` as O rows of taps·C bits packed densely (bit t·C + c). */
function denseConvRows(t: BitTensor, outputs: number, taps: number, channels: number) {
  const k = taps * channels;
  const words = Math.ceil(k / 32);
  const data = new Uint32Array(outputs * words);
  const stride = t.layout.wordsPerRow;
  for (let o = 0; o < outputs; o++) {
    for (let tap = 0; tap < taps; tap++) {
      const src = (o * taps + tap) * stride;
      for (let c = 0; c < channels; c++) {
        if ((t.data[src + (c >>> 5)]! >>> (c & 31)) & 1) {
          const bit = tap * channels + c;
          data[o * words + (bit >>> 5)]! |= 1 << (bit & 31);
        }
      }
    }
  }
  return { rows: outputs, cols: k, wordsPerRow: words, data };
}

/**
 * Dense weights `[O, K]` in the kernels' layout for an input laid out as `layout`: a plain vector
 * packs as is; a flattened image whose channels do not fill whole words gets the weights spread to
 * the same per-pixel word groups (zero bits where the activations have padding, so dots are unchanged).
 */
function denseWeights(t: BitTensor, layout: BitsLayout): PackedWeights {
  const [o, k] = t.shape as [number, number];
  if (layout.pixels === 1 || layout.channels % 32 === 0) {
    return prepackWeights({ rows: o, cols: k, wordsPerRow: t.layout.wordsPerRow, data: t.data });
  }
  const { pixels, channels, wpp } = layout;
  const words = pixels * wpp;
  const spread = new Uint32Array(o * words);
  const src = t.data;
  const stride = t.layout.wordsPerRow;
  for (let r = 0; r < o; r++) {
    for (let kk = 0; kk < k; kk++) {
      if ((src[r * stride + (kk >>> 5)]! >>> (kk & 31)) & 1) {
        const p = Math.floor(kk / channels);
        const c = kk - p * channels;
        spread[r * words + p * wpp + (c >>> 5)]! |= 1 << (c & 31);
      }
    }
  }
  return prepackWeights({ rows: o, cols: words * 32, wordsPerRow: words, data: spread });
}

function lowerNode(L: Lowering, node: GraphNode, x: number, inInfo: ValueInfo, outInfo: ValueInfo): void {
  const xv = L.value(x);
  switch (node.op) {
    case "input":
      throw new RuntimeError("UNSUPPORTED_MODEL", `node ${JSON.stringify(node.name)}: a second input node`);
    case "denseFloat": {
      const xf = L.asFloat(x);
      const k = inInfo.shape[0]!;
      const n = outInfo.shape[0]!;
      const w = L.addWeight(L.tensor<Tensor>(node.weights).data);
      const bias = node.bias === undefined ? -1 : L.addWeight(L.tensor<Tensor>(node.bias).data);
      const { value, epilogue } = L.floatOutput(node.output, n, 1, 0, 0);
      const columns = L.columnBounds(n);
      L.step((a) => ({
        op: "denseFloat",
        ...(columns ? { columns } : {}),
        node: node.name,
        rowsPerSample: 1,
        costPerRow: n * k * NS_PER_FLOAT_MAC,
        x: a.value(xf),
        k,
        n,
        w: a.weight(w),
        bias: bias < 0 ? 0 : a.weight(bias),
        out: a.value(value),
        epilogue: epilogue(a),
      }));
      return;
    }
    case "conv2dFloat": {
      const xf = L.asFloat(x);
      const [h, w, c] = inInfo.shape as [number, number, number];
      const [outH, outW, n] = outInfo.shape as [number, number, number];
      const g = geometry(h, w, node.kernel, node.stride, node.padding);
      const wt = L.addWeight(L.tensor<Tensor>(node.weights).data);
      const bias = node.bias === undefined ? -1 : L.addWeight(L.tensor<Tensor>(node.bias).data);
      const { value, epilogue } = L.floatOutput(node.output, n, outH * outW, outH, outW);
      L.step((a) => ({
        op: "conv2dFloat",
        node: node.name,
        rowsPerSample: outH * outW,
        costPerRow: n * node.kernel[0] * node.kernel[1] * c * NS_PER_FLOAT_MAC,
        x: a.value(xf),
        height: h,
        width: w,
        channels: c,
        n,
        kernelH: node.kernel[0],
        kernelW: node.kernel[1],
        strideH: node.stride[0],
        strideW: node.stride[1],
        padTop: g.padTop,
        padLeft: g.padLeft,
        outH,
        outW,
        padValue: node.padValue ?? 0,
        w: a.weight(wt),
        bias: bias < 0 ? 0 : a.weight(bias),
        out: a.value(value),
        epilogue: epilogue(a),
      }));
      return;
    }
    case "denseBitPlane": {
      const k = inInfo.shape[0]!;
      const n = outInfo.shape[0]!;
      const packed = planeWeights(prepackWeights(bitMatrix(L.tensor<BitTensor>(node.weights))), k);
      const kWords = packed.kWords;
      const planes = L.addValue({ kind: "planes", sampleBytes: 32 * kWords, elements: k });
      L.step((a) => ({
        op: "encodePlanes",
        node: node.name,
        rowsPerSample: 1,
        costPerRow: k * NS_PER_ELEMENT * 4,
        src: a.value(x),
        elements: k,
        dst: a.value(planes),
        kWords,
      }));
      const w = L.addWeight(packed.data);
      const o = L.integerOutput(node.output, n, 1, undefined);
      const columns = L.columnSlices(n, o.mode);
      L.step((a) => {
        const args = gemmArgs(a, o, planes, 32 * kWords, w, n, k, kWords);
        return {
          op: "gemm",
          node: node.name,
          rowsPerSample: 1,
          costPerRow: n * kWords * 32 * 8 * NS_PER_PLANE_MAC,
          bitPlane: true,
          args,
          ...(columns ? { columns: columns(a, args) } : {}),
        };
      });
      return;
    }
    case "binaryDense": {
      const k = inInfo.shape[0]!;
      const n = outInfo.shape[0]!;
      const layout = xv.bits!;
      const packed = denseWeights(L.tensor<BitTensor>(node.weights), layout);
      const kWords = packed.wordsPerRow;
      let a0 = x;
      if (layout.sampleWords !== kWords) {
        // Re-stride rows to the kernels' word multiple (a flattened image of an odd word count).
        const words = layout.pixels * layout.wpp;
        a0 = L.addValue({
          kind: "bits",
          sampleBytes: 4 * kWords,
          elements: xv.elements,
          bits: { ...layout, sampleWords: kWords },
        });
        const dst = a0;
        L.step((a) => ({
          op: "copyWords",
          node: node.name,
          rowsPerSample: 1,
          costPerRow: kWords * NS_PER_ELEMENT,
          src: a.value(x),
          srcStride: layout.sampleWords,
          dst: a.value(dst),
          dstStride: kWords,
          words,
        }));
      }
      const w = L.addWeight(packed.data);
      const o = L.integerOutput(node.output, n, 1, undefined);
      const src = a0;
      const columns = L.columnSlices(n, o.mode);
      L.step((a) => {
        const args = gemmArgs(a, o, src, 4 * kWords, w, n, k, kWords);
        return {
          op: "gemm",
          node: node.name,
          rowsPerSample: 1,
          costPerRow: n * kWords * 32 * NS_PER_BINARY_MAC,
          bitPlane: false,
          args,
          ...(columns ? { columns: columns(a, args) } : {}),
        };
      });
      return;
    }
    case "conv2dBitPlane":
    case "binaryConv2d": {
      const bitPlane = node.op === "conv2dBitPlane";
      const [h, w, c] = inInfo.shape as [number, number, number];
      const [outH, outW, n] = outInfo.shape as [number, number, number];
      const [kh, kw] = node.kernel;
      const g = geometry(h, w, node.kernel, node.stride, node.padding);
      const wpp = Math.ceil(c / 32);
      const t = L.tensor<BitTensor>(node.weights);
      const rows = bitPlane ? new Uint32Array(0) : groupedRows(t, n, kh * kw, wpp);
      // Bit-plane convolutions pack each output's K = kh·kw·C weights densely (their first layers
      // often have 1–3 channels: a word per tap would multiply the work); binary ones per tap.
      const packed = bitPlane
        ? planeWeights(prepackWeights(denseConvRows(t, n, kh * kw, c)), kh * kw * c)
        : prepackConvWeights({
            outChannels: n,
            kernelH: kh,
            kernelW: kw,
            inChannels: c,
            wordsPerPixel: wpp,
            data: rows,
          });
      const kWords = "kWords" in packed ? packed.kWords : packed.wordsPerRow;
      const rowBytes = 4 * kWords * (bitPlane ? 8 : 1);
      const scratchRows = Math.max(1, Math.min(outH * outW, Math.floor(SCRATCH_CHUNK_BYTES / rowBytes)));
      const scratch = L.addScratch(scratchRows * rowBytes);
      const wt = L.addWeight(packed.data);
      const o = L.integerOutput(node.output, n, outH * outW, { h: outH, w: outW });
      const k = kh * kw * c;
      const macs = n * kWords * 32;
      const costPerRow = bitPlane
        ? (macs * 8 * NS_PER_PLANE_MAC + kh * kw * c) * CONV_OVERHEAD
        : (macs * NS_PER_BINARY_MAC + kWords) * CONV_OVERHEAD;
      const square = node.stride[0] === node.stride[1];
      if (!bitPlane && square) {
        const lastWordMask = c % 32 === 0 ? 0xffffffff : (1 << (c % 32)) - 1;
        L.step((a) => ({
          op: "conv",
          node: node.name,
          rowsPerSample: outH * outW,
          costPerRow,
          slots: slots(a, scratch).map(
            (ptr): ConvArgs => ({
              input: a.value(x),
              height: h,
              width: w,
              wordsPerPixel: wpp,
              lastWordMask,
              kernelH: kh,
              kernelW: kw,
              stride: node.stride[0],
              padTop: g.padTop,
              padLeft: g.padLeft,
              outH,
              outW,
              gemm: gemmArgsAt(a, o, ptr, rowBytes, wt, n, k, kWords),
              scratchRows,
            }),
          ),
        }));
        return;
      }
      L.step((a) => ({
        op: "im2colConv",
        node: node.name,
        rowsPerSample: outH * outW,
        costPerRow,
        source: bitPlane ? "uint8" : "bits",
        input: a.value(x),
        height: h,
        width: w,
        channels: c,
        wpp: bitPlane ? 1 : wpp,
        kernelH: kh,
        kernelW: kw,
        strideH: node.stride[0],
        strideW: node.stride[1],
        padTop: g.padTop,
        padLeft: g.padLeft,
        outH,
        outW,
        padValue: bitPlane ? ((node as { padValue?: number }).padValue ?? 0) : 0,
        tapWords: wpp,
        scratchRows,
        slots: slots(a, scratch).map((ptr) => gemmArgsAt(a, o, ptr, rowBytes, wt, n, k, kWords)),
      }));
      return;
    }
    case "maxPool2d": {
      const [h, w, c] = inInfo.shape as [number, number, number];
      const [outH, outW] = outInfo.shape as [number, number, number];
      const g = geometry(h, w, node.kernel, node.stride, node.padding);
      // Windows are clipped to the input: a kernel larger than the image reads only the image.
      const window = Math.min(node.kernel[0], h) * Math.min(node.kernel[1], w);
      // Any strides, float32 values or packed words (`depth` = channels or words per pixel).
      const genericPool = (kind: "float32" | "bits", depth: number, costPerRow: number, out: number) =>
        L.step((a) => ({
          op: "genericPool",
          node: node.name,
          rowsPerSample: outH * outW,
          costPerRow,
          kind,
          input: a.value(x),
          height: h,
          width: w,
          depth,
          poolH: node.kernel[0],
          poolW: node.kernel[1],
          strideH: node.stride[0],
          strideW: node.stride[1],
          padTop: g.padTop,
          padLeft: g.padLeft,
          outH,
          outW,
          out: a.value(out),
        }));
      if (xv.kind === "float32") {
        const out = L.addValue({
          kind: "float32",
          sampleBytes: 4 * outH * outW * c,
          elements: outH * outW * c,
        });
        genericPool("float32", c, c * window * NS_PER_ELEMENT, out);
        return;
      }
      const wpp = Math.ceil(c / 32);
      const layout = bitsImage(outH, outW, c);
      const mask =
        node.minMask === undefined
          ? -1
          : L.addWeight(L.tensor<BitTensor>(node.minMask).data.slice(0, Math.max(wpp, 4)));
      if (mask >= 0) {
        L.step((a) => ({
          op: "xorMask",
          node: node.name,
          rowsPerSample: h * w,
          costPerRow: wpp * NS_PER_ELEMENT,
          ptr: a.value(x),
          wpp,
          mask: a.weight(mask),
        }));
      }
      const out = L.addValue({
        kind: "bits",
        sampleBytes: 4 * layout.sampleWords,
        elements: outH * outW * c,
        bits: layout,
      });
      const costPerRow = wpp * window * NS_PER_ELEMENT;
      if (node.stride[0] === node.stride[1]) {
        L.step((a) => ({
          op: "pool",
          node: node.name,
          rowsPerSample: outH * outW,
          costPerRow,
          args: {
            input: a.value(x),
            height: h,
            width: w,
            wordsPerPixel: wpp,
            poolH: node.kernel[0],
            poolW: node.kernel[1],
            stride: node.stride[0],
            padTop: g.padTop,
            padLeft: g.padLeft,
            outH,
            outW,
            out: a.value(out),
          },
        }));
      } else {
        genericPool("bits", wpp, costPerRow, out);
      }
      if (mask >= 0) {
        L.step((a) => ({
          op: "xorMask",
          node: node.name,
          rowsPerSample: outH * outW,
          costPerRow: wpp * NS_PER_ELEMENT,
          ptr: a.value(out),
          wpp,
          mask: a.weight(mask),
        }));
      }
      return;
    }
    case "flatten":
      L.addValue({ ...xv, elements: xv.elements, aliasOf: xv.aliasOf ?? x });
      return;
    case "softmax": {
      const n = inInfo.shape[0]!;
      const out = L.addValue({ kind: "float32", sampleBytes: 4 * n, elements: n });
      L.step((a) => ({
        op: "softmax",
        node: node.name,
        rowsPerSample: 1,
        costPerRow: n * 20 * NS_PER_ELEMENT,
        src: a.value(x),
        dst: a.value(out),
        n,
      }));
      return;
    }
    case "argmax":
      fail(node, "argmax is only supported as the graph's last node");
  }
}

function bitMatrix(t: BitTensor) {
  return { rows: t.layout.rows, cols: t.layout.cols, wordsPerRow: t.layout.wordsPerRow, data: t.data };
}

function slots(a: Addresses, scratch: number): number[] {
  const out: number[] = [];
  for (let s = 0; ; s++) {
    const ptr = a.scratch(scratch, s);
    if (ptr < 0) return out;
    out.push(ptr);
  }
}

function gemmArgs(
  a: Addresses,
  o: { value: number; mode: GemmArgs["mode"]; outStride: number; p0: number; p1: number },
  src: number,
  aStride: number,
  w: number,
  n: number,
  k: number,
  kWords: number,
): GemmArgs {
  return gemmArgsAt(a, o, a.value(src), aStride, w, n, k, kWords);
}

function gemmArgsAt(
  a: Addresses,
  o: { value: number; mode: GemmArgs["mode"]; outStride: number; p0: number; p1: number },
  aPtr: number,
  aStride: number,
  w: number,
  n: number,
  k: number,
  kWords: number,
): GemmArgs {
  return {
    mode: o.mode,
    a: aPtr,
    aStride,
    w: a.weight(w),
    n,
    k,
    kWords,
    out: a.value(o.value),
    outStride: o.outStride,
    p0: a.weight(o.p0),
    p1: a.weight(o.p1),
  };
}

/** The node whose value a run returns: the last one before a trailing softmax/argmax. */
export function scoresNode(nodes: readonly GraphNode[]): number {
  let last = nodes.length - 1;
  if (last > 0 && nodes[last]!.op === "argmax") last--;
  if (last > 0 && nodes[last]!.op === "softmax") last--;
  return last;
}

/** Builds the plan of a validated model (`values` from `inferValueInfos`). */
export function compilePlan(
  model: OnebitModel,
  values: readonly ValueInfo[],
  options: CompileOptions,
): CompiledPlan {
  const nodes = model.graph.nodes;
  const threadSlots = Math.max(1, options.threadSlots);
  const L = new Lowering(model, threadSlots);
  const input = L.input;
  const inElements = input.shape.reduce((p, d) => p * d, 1);
  L.addValue(
    input.dtype === "float32"
      ? { kind: "float32", sampleBytes: 4 * inElements, elements: inElements }
      : { kind: "uint8", sampleBytes: inElements, elements: inElements },
  );
  const outputNode = scoresNode(nodes);
  for (let i = 1; i <= outputNode; i++) lowerNode(L, nodes[i]!, L.last, values[i - 1]!, values[i]!);
  let out = L.last;
  if (L.value(out).kind === "uint8") out = L.asFloat(out);

  const layout = layoutMemory({
    weights: L.weights,
    values: L.values,
    scratch: L.scratch,
    threadSlots,
    ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
  });
  const { addresses, weightAt, weightBytes, capacity } = layout;
  const top = layout.memoryBytes;
  const perSample = layout.activationBytesPerSample;
  const steps = L.builders.map((b) => b(addresses));
  const ov = L.value(out);
  const output: OutputBinding =
    ov.kind === "bits"
      ? { kind: "bits", ptr: addresses.value(out), elements: ov.elements, layout: ov.bits! }
      : { kind: "float32", ptr: addresses.value(out), elements: ov.elements };
  const norm = input.normalization ?? { scale: 1, offset: 0 };
  const plan: PlanData = {
    memoryBytes: top,
    capacity,
    threadSlots,
    control: CONTROL,
    input: {
      dtype: input.dtype,
      elements: inElements,
      ptr: addresses.value(0),
      scale: norm.scale,
      offset: norm.offset,
    },
    steps,
    output,
    costPerSample: steps.reduce((sum, s) => sum + s.costPerRow * s.rowsPerSample, 0),
  };
  return {
    plan,
    weightBytes,
    activationBytesPerSample: perSample,
    outputNode,
    fill(memory: WebAssembly.Memory): void {
      const bytes = new Uint8Array(memory.buffer);
      L.weights.forEach((w, i) => {
        bytes.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), weightAt[i]!);
      });
    },
  };
}

export { createPlanMemory } from "./memory-layout.js";
