import { type GemmArgs, type PackedWeights, kernelRowWords, prepackWeights } from "@onebit/bitops";
import type { BinaryOutput, BitTensor, Normalization, Pair, Padding, SignNode, Tensor } from "@onebit/format";
import { windowAxis } from "@onebit/format/chain";
import { NS_PER_ELEMENT } from "./cost-model.js";
import { RuntimeError } from "./errors.js";
import type { Addresses } from "./memory-layout.js";
import type { BitsLayout, FloatEpilogue, GemmColumnSlice, Step } from "./plan.js";

// The lowering context every op module writes into (ops/*.ts): abstract values with their bytes
// per sample, weights in their kernel layout, scratch buffers, and step builders that receive the
// final addresses once the memory is laid out. Shared helpers of the binary ops live here too.

export type ValueKind = "float32" | "uint8" | "bits" | "planes" | "int32";

export interface Value {
  readonly kind: ValueKind;
  /** Bytes per sample. */
  readonly sampleBytes: number;
  /** Logical element count per sample (bits: ±1 values). */
  readonly elements: number;
  readonly bits?: BitsLayout;
  /** This value is another value's bytes under a new shape (flatten). */
  readonly aliasOf?: number;
}

export type Builder = (a: Addresses) => Step;

/** The GEMM epilogue of a binary op and the value it writes. */
export interface IntegerOutput {
  readonly value: number;
  readonly mode: GemmArgs["mode"];
  readonly outStride: number;
  readonly p0: number;
  readonly p1: number;
}

export function unsupported(node: { name: string; op: string }, problem: string): never {
  throw new RuntimeError("UNSUPPORTED_MODEL", `node ${JSON.stringify(node.name)} (${node.op}): ${problem}`);
}

export function bitsVector(k: number): BitsLayout {
  return { pixels: 1, channels: k, wpp: Math.ceil(k / 32), sampleWords: kernelRowWords(k) };
}

export function bitsImage(h: number, w: number, c: number): BitsLayout {
  const wpp = Math.ceil(c / 32);
  return { pixels: h * w, channels: c, wpp, sampleWords: h * w * wpp };
}

/** `geometry` for a window with dilation (its span is (k − 1)·d + 1). */
export function geometryDilated(
  inH: number,
  inW: number,
  kernel: Pair,
  stride: Pair,
  dilation: Pair,
  padding: Padding,
) {
  return geometry(
    inH,
    inW,
    [(kernel[0] - 1) * dilation[0] + 1, (kernel[1] - 1) * dilation[1] + 1],
    stride,
    padding,
  );
}

export function geometry(inH: number, inW: number, kernel: Pair, stride: Pair, padding: Padding) {
  const rows = windowAxis(inH, kernel[0], stride[0], padding);
  const cols = windowAxis(inW, kernel[1], stride[1], padding);
  return { outH: rows.out, outW: cols.out, padTop: rows.padBefore, padLeft: cols.padBefore };
}

export class Lowering {
  readonly values: Value[] = [];
  readonly weights: ArrayBufferView[] = [];
  /** Bytes per thread slot of each scratch buffer (a function of the pass capacity, or fixed). */
  readonly scratch: ((capacity: number) => number)[] = [];
  readonly builders: Builder[] = [];
  /** Per builder: the node being lowered when it was added (for liveness). */
  readonly builderNodes: number[] = [];
  /** Per value: the node being lowered when it was created. */
  readonly valueNodes: number[] = [];
  /** The node being lowered (its index in the graph). */
  current = -1;
  /**
   * The `sign` node that alone reads the node being lowered, when the compiler offers to fuse it:
   * a float layer that can compare in its epilogue writes bits directly and sets `signFused`.
   */
  fusableSign: SignNode | undefined = undefined;
  signFused = false;
  /** Values the node being lowered may overwrite: read by it alone and not graph outputs. */
  exclusiveInputs: ReadonlySet<number> = new Set();

  constructor(
    private readonly tensors: ReadonlyMap<string, Tensor>,
    /** Normalization of the graph's (uint8) input, applied where a float op reads it. */
    readonly normalization: Normalization,
    /** Threads the plan is made for (column-split GEMMs get one slice each). */
    readonly threadSlots: number,
  ) {}

  /** Whether the node being lowered may overwrite value `id` (no other node reads it). */
  exclusive(id: number): boolean {
    return this.exclusiveInputs.has(id);
  }

  addValue(v: Value): number {
    this.valueNodes.push(this.current);
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
    this.builderNodes.push(this.current);
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
    const norm = this.normalization;
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
  /**
   * The output of a float layer (vector or image of `units`): float32, or — when the compiler
   * offered the `sign` that alone reads it (`fusableSign`) — bits compared in the epilogue.
   */
  floatOutput(
    units: number,
    pixels: number,
    h: number,
    w: number,
  ): { value: number; epilogue: (a: Addresses) => FloatEpilogue } {
    const sign = this.fusableSign;
    if (!sign) {
      const value = this.addValue({
        kind: "float32",
        sampleBytes: 4 * units * pixels,
        elements: units * pixels,
      });
      return { value, epilogue: () => ({ kind: "float32" }) };
    }
    this.signFused = true;
    const layout = pixels === 1 && h === 0 ? bitsVector(units) : bitsImage(h, w, units);
    const value = this.addValue({
      kind: "bits",
      sampleBytes: 4 * layout.sampleWords,
      elements: units * pixels,
      bits: layout,
    });
    const t = this.addWeight(
      sign.thresholds === undefined ? new Float32Array(units) : this.tensor<Tensor>(sign.thresholds).data,
    );
    const f = this.addWeight(this.flips(sign.flip, units));
    const rowWords = pixels === 1 && h === 0 ? layout.sampleWords : layout.wpp;
    return {
      value,
      epilogue: (a) => ({ kind: "bits", thresholds: a.weight(t), flip: a.weight(f), rowWords }),
    };
  }

  flips(ref: string | undefined, units: number): Uint8Array {
    return ref === undefined ? new Uint8Array(units) : (this.tensor<Tensor>(ref).data as Uint8Array);
  }

  /** GEMM epilogue parameters of a binary op's output (SPEC.md C.3) and the value it produces. */
  integerOutput(
    output: BinaryOutput,
    units: number,
    pixels: number,
    image: { h: number; w: number } | undefined,
  ): IntegerOutput {
    if (output.kind === "float32" || output.kind === "int32") {
      const value = this.addValue({
        kind: output.kind,
        sampleBytes: 4 * units * pixels,
        elements: units * pixels,
      });
      if (output.kind === "int32") return { value, mode: "dot", outStride: 4 * units, p0: -1, p1: -1 };
      return {
        value,
        mode: "scaleBias",
        outStride: 4 * units,
        p0: this.addWeight(this.tensor<Tensor>(output.multiplier).data),
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
export function groupedRows(t: BitTensor, outputs: number, groups: number, wpp: number): Uint32Array {
  const { wordsPerRow } = t.layout;
  if (wordsPerRow === wpp) return t.data.subarray(0, outputs * groups * wpp);
  const out = new Uint32Array(outputs * groups * wpp);
  for (let r = 0; r < outputs * groups; r++)
    out.set(t.data.subarray(r * wordsPerRow, r * wordsPerRow + wpp), r * wpp);
  return out;
}

/** Conv weights `[O, taps, C]` as O rows of taps·C bits packed densely (bit t·C + c). */
export function denseConvRows(t: BitTensor, outputs: number, taps: number, channels: number) {
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
export function denseWeights(t: BitTensor, layout: BitsLayout): PackedWeights {
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

export function bitMatrix(t: BitTensor) {
  return { rows: t.layout.rows, cols: t.layout.cols, wordsPerRow: t.layout.wordsPerRow, data: t.data };
}

export function slots(a: Addresses, scratch: number): number[] {
  const out: number[] = [];
  for (let s = 0; ; s++) {
    const ptr = a.scratch(scratch, s);
    if (ptr < 0) return out;
    out.push(ptr);
  }
}

export function gemmArgs(
  a: Addresses,
  o: IntegerOutput,
  src: number,
  aStride: number,
  w: number,
  n: number,
  k: number,
  kWords: number,
): GemmArgs {
  return gemmArgsAt(a, o, a.value(src), aStride, w, n, k, kWords);
}

export function gemmArgsAt(
  a: Addresses,
  o: IntegerOutput,
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
    p0: o.p0 < 0 ? 0 : a.weight(o.p0),
    p1: o.p1 < 0 ? 0 : a.weight(o.p1),
  };
}

/** The node whose value a run returns: the last one before a trailing softmax/argmax. */
