import {
  type GraphNode,
  type IntegerLayerOutput,
  type LayerOutput,
  type OnebitModel,
  type Padding,
  type Tensor,
  packBitTensor,
  windowAxis,
} from "@onebit/format";

// Random models of every op kind, built with the format's types and writer conventions, for the
// runtime-vs-reference tests. A seeded generator makes every case reproducible from its seed.

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed * 2654435761) >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  uniform(n: number, lo = -1, hi = 1): Float32Array {
    return Float32Array.from({ length: n }, () => lo + (hi - lo) * this.next());
  }
  signs(n: number): Float32Array {
    return Float32Array.from({ length: n }, () => (this.next() < 0.5 ? -1 : 1));
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(0, 255));
  }
}

type Kind = "float32" | "uint8" | "bits";

/** Builds a chain graph node by node, tracking the value's kind and shape to size each tensor. */
export class ModelBuilder {
  readonly nodes: GraphNode[] = [];
  readonly tensors = new Map<string, Tensor>();
  kind: Kind = "float32";
  shape: number[] = [];
  private count = 0;

  constructor(readonly rng: Rng) {}

  private name(op: string): string {
    return `${op}${this.count++}`;
  }

  private tensor(name: string, t: Tensor): string {
    this.tensors.set(name, t);
    return name;
  }

  input(
    dtype: "float32" | "uint8",
    shape: number[],
    normalization?: { scale: number; offset: number },
  ): this {
    this.nodes.push({
      op: "input",
      name: "input",
      dtype,
      shape,
      ...(normalization ? { normalization } : {}),
    });
    this.kind = dtype;
    this.shape = shape;
    return this;
  }

  /** Threshold/flip (bits) or scale/bias output tensors for `units` channels; `zScale` ~ typical |z|. */
  private output(
    base: string,
    kind: "float32" | "bits" | "scaleBias",
    units: number,
    integer: boolean,
    zScale: number,
  ): LayerOutput {
    const r = this.rng;
    if (kind === "float32") return { kind };
    if (kind === "scaleBias") {
      return {
        kind,
        scale: this.tensor(`${base}.scale`, {
          dtype: "float32",
          shape: [units],
          data: r.uniform(units, -0.5, 0.5),
        }),
        bias: this.tensor(`${base}.bias`, {
          dtype: "float32",
          shape: [units],
          data: r.uniform(units, -2, 2),
        }),
      };
    }
    const flip = Uint8Array.from({ length: units }, () => (r.next() < 0.3 ? 1 : 0));
    if (integer) {
      const t = Int32Array.from({ length: units }, () => {
        const u = r.next();
        // A few constant channels (γ = 0 folds to "always" / "never"), the rest near typical dots.
        if (u < 0.04) return -2147483648;
        if (u < 0.08) return 2147483647;
        return Math.round((r.next() * 2 - 1) * zScale);
      });
      return {
        kind: "bits",
        thresholds: this.tensor(`${base}.thresholds`, { dtype: "int32", shape: [units], data: t }),
        flip: this.tensor(`${base}.flip`, { dtype: "uint8", shape: [units], data: flip }),
      };
    }
    const t = Float32Array.from({ length: units }, () => {
      const u = r.next();
      if (u < 0.04) return Number.NEGATIVE_INFINITY;
      if (u < 0.08) return Number.POSITIVE_INFINITY;
      return (r.next() * 2 - 1) * zScale;
    });
    return r.next() < 0.5
      ? {
          kind: "bits",
          thresholds: this.tensor(`${base}.thresholds`, { dtype: "float32", shape: [units], data: t }),
        }
      : {
          kind: "bits",
          thresholds: this.tensor(`${base}.thresholds`, { dtype: "float32", shape: [units], data: t }),
          flip: this.tensor(`${base}.flip`, { dtype: "uint8", shape: [units], data: flip }),
        };
  }

  private window(kernel: [number, number], stride: [number, number], padding: Padding): [number, number] {
    const [h, w] = this.shape as [number, number, number];
    return [
      windowAxis(h, kernel[0], stride[0], padding).out,
      windowAxis(w, kernel[1], stride[1], padding).out,
    ];
  }

  denseFloat(units: number, out: "float32" | "bits", bias = true): this {
    const name = this.name("denseFloat");
    const k = this.shape[0]!;
    const weights = this.tensor(`${name}.w`, {
      dtype: "float32",
      shape: [units, k],
      data: this.rng.uniform(units * k),
    });
    const node: GraphNode = {
      op: "denseFloat",
      name,
      weights,
      ...(bias
        ? {
            bias: this.tensor(`${name}.b`, {
              dtype: "float32",
              shape: [units],
              data: this.rng.uniform(units),
            }),
          }
        : {}),
      output: this.output(name, out, units, false, Math.sqrt(k) * 0.5) as never,
    };
    this.nodes.push(node);
    this.kind = out === "bits" ? "bits" : "float32";
    this.shape = [units];
    return this;
  }

  conv2dFloat(
    units: number,
    kernel: [number, number],
    stride: [number, number],
    padding: Padding,
    out: "float32" | "bits",
    padValue?: number,
  ): this {
    const name = this.name("conv2dFloat");
    const c = this.shape[2]!;
    const size = units * kernel[0] * kernel[1] * c;
    const weights = this.tensor(`${name}.w`, {
      dtype: "float32",
      shape: [units, kernel[0], kernel[1], c],
      data: this.rng.uniform(size),
    });
    const [oh, ow] = this.window(kernel, stride, padding);
    this.nodes.push({
      op: "conv2dFloat",
      name,
      weights,
      bias: this.tensor(`${name}.b`, { dtype: "float32", shape: [units], data: this.rng.uniform(units) }),
      kernel,
      stride,
      padding,
      ...(padValue === undefined ? {} : { padValue }),
      output: this.output(name, out, units, false, Math.sqrt(kernel[0] * kernel[1] * c) * 0.5) as never,
    });
    this.kind = out === "bits" ? "bits" : "float32";
    this.shape = [oh, ow, units];
    return this;
  }

  private bitWeights(name: string, shape: number[]): string {
    const n = shape.reduce((p, d) => p * d, 1);
    return this.tensor(`${name}.w`, packBitTensor(this.rng.signs(n), shape));
  }

  denseBitPlane(units: number, out: "bits" | "scaleBias"): this {
    const name = this.name("denseBitPlane");
    const k = this.shape[0]!;
    this.nodes.push({
      op: "denseBitPlane",
      name,
      weights: this.bitWeights(name, [units, k]),
      output: this.output(name, out, units, true, 150 * Math.sqrt(k)) as IntegerLayerOutput,
    });
    this.kind = out === "bits" ? "bits" : "float32";
    this.shape = [units];
    return this;
  }

  binaryDense(units: number, out: "bits" | "scaleBias"): this {
    const name = this.name("binaryDense");
    const k = this.shape[0]!;
    this.nodes.push({
      op: "binaryDense",
      name,
      weights: this.bitWeights(name, [units, k]),
      output: this.output(name, out, units, true, Math.sqrt(k)) as IntegerLayerOutput,
    });
    this.kind = out === "bits" ? "bits" : "float32";
    this.shape = [units];
    return this;
  }

  private intConv(
    op: "binaryConv2d" | "conv2dBitPlane",
    units: number,
    kernel: [number, number],
    stride: [number, number],
    padding: Padding,
    out: "bits" | "scaleBias",
    padValue?: number,
  ): this {
    const name = this.name(op);
    const c = this.shape[2]!;
    const k = kernel[0] * kernel[1] * c;
    const [oh, ow] = this.window(kernel, stride, padding);
    this.nodes.push({
      op,
      name,
      weights: this.bitWeights(name, [units, kernel[0], kernel[1], c]),
      kernel,
      stride,
      padding,
      ...(padValue === undefined ? {} : { padValue }),
      output: this.output(
        name,
        out,
        units,
        true,
        (op === "conv2dBitPlane" ? 150 : 1) * Math.sqrt(k),
      ) as IntegerLayerOutput,
    } as GraphNode);
    this.kind = out === "bits" ? "bits" : "float32";
    this.shape = [oh, ow, units];
    return this;
  }

  binaryConv2d(
    units: number,
    kernel: [number, number],
    stride: [number, number],
    padding: Padding,
    out: "bits" | "scaleBias",
  ): this {
    return this.intConv("binaryConv2d", units, kernel, stride, padding, out);
  }

  conv2dBitPlane(
    units: number,
    kernel: [number, number],
    stride: [number, number],
    padding: Padding,
    out: "bits" | "scaleBias",
    padValue?: number,
  ): this {
    return this.intConv("conv2dBitPlane", units, kernel, stride, padding, out, padValue);
  }

  maxPool(kernel: [number, number], stride: [number, number], padding: Padding, minMask = false): this {
    const name = this.name("maxPool2d");
    const c = this.shape[2]!;
    const [oh, ow] = this.window(kernel, stride, padding);
    this.nodes.push({
      op: "maxPool2d",
      name,
      kernel,
      stride,
      padding,
      ...(minMask ? { minMask: this.tensor(`${name}.minMask`, packBitTensor(this.rng.signs(c), [c])) } : {}),
    });
    this.shape = [oh, ow, c];
    return this;
  }

  flatten(): this {
    this.nodes.push({ op: "flatten", name: this.name("flatten") });
    this.shape = [this.shape.reduce((p, d) => p * d, 1)];
    return this;
  }

  softmax(): this {
    this.nodes.push({ op: "softmax", name: this.name("softmax") });
    return this;
  }

  argmax(): this {
    this.nodes.push({ op: "argmax", name: this.name("argmax") });
    return this;
  }

  build(name = "random"): OnebitModel {
    const last = this.nodes[this.nodes.length - 1]!;
    const classes =
      last.op === "argmax" || last.op === "softmax" || this.kind === "float32" ? this.shape[0] : undefined;
    const labels =
      classes !== undefined && this.shape.length === 1
        ? Array.from({ length: classes }, (_, i) => `class ${i}`)
        : undefined;
    return {
      graph: { nodes: this.nodes },
      tensors: this.tensors,
      metadata: { name, ...(labels ? { labels } : {}) },
    };
  }

  /** Random raw inputs for `batch` samples of this model's input. */
  static inputs(model: OnebitModel, rng: Rng, batch: number): Float32Array | Uint8Array {
    const input = model.graph.nodes[0]!;
    if (input.op !== "input") throw new Error("no input");
    const n = batch * input.shape.reduce((p, d) => p * d, 1);
    return input.dtype === "uint8" ? rng.bytes(n) : rng.uniform(n, -2, 2);
  }
}

const BYTE_NORM = { scale: 1 / 127.5, offset: -1 };

/** Named recipes covering every op kind, input dtype and output form; dims drawn from `seed`. */
export const RECIPES: Record<string, (rng: Rng) => OnebitModel> = {
  "float MLP (denseFloat→binaryDense→scaleBias→softmax→argmax)": (r) =>
    new ModelBuilder(r)
      .input("float32", [r.int(1, 80)], { scale: 0.5, offset: 0.25 })
      .denseFloat(r.int(1, 70), "bits")
      .binaryDense(r.int(1, 100), "bits")
      .binaryDense(r.int(2, 12), "scaleBias")
      .softmax()
      .argmax()
      .build(),
  "8-bit MLP (denseBitPlane→binaryDense→scaleBias)": (r) =>
    new ModelBuilder(r)
      .input("uint8", [r.int(1, 100)], BYTE_NORM)
      .denseBitPlane(r.int(1, 70), "bits")
      .binaryDense(r.int(1, 40), "bits")
      .binaryDense(r.int(2, 10), "scaleBias")
      .build(),
  "8-bit input read by a float layer, bits into a float last layer": (r) =>
    new ModelBuilder(r)
      .input("uint8", [r.int(1, 40)], BYTE_NORM)
      .denseFloat(r.int(1, 40), "bits", r.next() < 0.5)
      .denseFloat(r.int(2, 10), "float32")
      .argmax()
      .build(),
  "float ConvNet (conv2dFloat→binaryConv2d→maxPool minMask→strided conv→flatten→dense)": (r) =>
    new ModelBuilder(r)
      .input("float32", [r.int(3, 9), r.int(3, 9), r.int(1, 3)])
      .conv2dFloat(r.int(1, 40), [3, 3], [1, 1], "same", "bits", r.next() < 0.5 ? 0.5 : undefined)
      .binaryConv2d(
        r.int(1, 70),
        [r.int(1, 3), r.int(1, 3)],
        [1, 1],
        r.pick(["same", "valid"] as const),
        "bits",
      )
      .maxPool([2, 2], [r.int(1, 2), r.int(1, 2)], r.pick(["same", "valid"] as const), r.next() < 0.7)
      .binaryConv2d(r.int(1, 40), [r.int(1, 2), r.int(1, 2)], [r.int(1, 2), r.int(1, 2)], "same", "bits")
      .flatten()
      .binaryDense(r.int(1, 50), "bits")
      .denseFloat(r.int(2, 10), "float32")
      .softmax()
      .build(),
  "8-bit ConvNet (conv2dBitPlane pad byte→pool→conv→flatten→scaleBias)": (r) =>
    new ModelBuilder(r)
      .input("uint8", [r.int(3, 8), r.int(3, 8), r.int(1, 4)], BYTE_NORM)
      .conv2dBitPlane(
        r.int(1, 36),
        [r.int(1, 3), r.int(1, 3)],
        [r.int(1, 2), r.int(1, 2)],
        r.pick(["same", "valid"] as const),
        "bits",
        r.int(0, 255),
      )
      .maxPool([r.int(1, 2), r.int(1, 2)], [1, 1], "same")
      .binaryConv2d(r.int(1, 33), [3, 3], [1, 1], "same", "bits")
      .flatten()
      .binaryDense(r.int(2, 10), "scaleBias")
      .build(),
  // K = kh·kw·C from 9 to 175 bits: bit-plane rows trimmed to 1, 2 or 3 64-bit words, and taps
  // whose bytes straddle the 4-byte gathers and 32-bit words of the 8-bit im2col.
  "8-bit wide-K conv (conv2dBitPlane 5×5 taps, many channels→flatten→bits)": (r) =>
    new ModelBuilder(r)
      .input("uint8", [r.int(5, 9), r.int(5, 9), r.int(1, 7)], BYTE_NORM)
      .conv2dBitPlane(
        r.int(1, 20),
        [r.int(3, 5), r.int(3, 5)],
        [r.int(1, 3), r.int(1, 3)],
        r.pick(["same", "valid"] as const),
        "bits",
        r.int(0, 255),
      )
      .flatten()
      .binaryDense(r.int(2, 10), "scaleBias")
      .build(),
  "integer conv outputs (scaleBias image→float pool→flatten→denseFloat)": (r) =>
    new ModelBuilder(r)
      .input("uint8", [r.int(2, 6), r.int(2, 6), r.int(1, 3)], BYTE_NORM)
      .conv2dBitPlane(r.int(1, 8), [2, 2], [1, 1], "valid", "scaleBias")
      .maxPool([2, 2], [r.int(1, 2), r.int(1, 2)], "same")
      .flatten()
      .denseFloat(r.int(2, 8), "float32")
      .build(),
  "float image layers (conv2dFloat float→pool→conv bits scaleBias)": (r) =>
    new ModelBuilder(r)
      .input("float32", [r.int(3, 7), r.int(3, 7), r.int(1, 3)])
      .conv2dFloat(
        r.int(1, 6),
        [r.int(1, 3), r.int(1, 3)],
        [r.int(1, 2), r.int(1, 2)],
        r.pick(["same", "valid"] as const),
        "float32",
      )
      .maxPool([2, 2], [2, 2], "same")
      .conv2dFloat(r.int(1, 40), [1, 1], [1, 1], "valid", "bits")
      .binaryConv2d(r.int(1, 5), [2, 2], [1, 1], "same", "scaleBias")
      .build(),
  "bits output (binaryDense ends the graph; wide 1×1 conv with many words per pixel)": (r) =>
    new ModelBuilder(r)
      .input("float32", [r.int(1, 4), r.int(1, 4), r.int(1, 4)])
      .conv2dFloat(r.int(100, 140), [1, 1], [1, 1], "valid", "bits")
      .binaryConv2d(r.int(1, 70), [1, 1], [1, 1], "valid", "bits")
      .flatten()
      .binaryDense(r.int(1, 70), "bits")
      .build(),
};
