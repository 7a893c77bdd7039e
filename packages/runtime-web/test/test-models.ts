import {
  type GraphNode,
  type IntegerLayerOutput,
  type OnebitModel,
  type Tensor,
  packBitTensor,
  writeModel,
} from "@onebit/format";

// Small MNIST-shaped models with seeded random weights, written with @onebit/format's writer: the
// runtime's results on them are compared across threads, environments and sources, so any weights do.

/** xorshift32: a reproducible stream of numbers in [0, 1). */
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
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => Math.floor(this.next() * 256));
  }
}

class Builder {
  readonly nodes: GraphNode[] = [
    {
      op: "input",
      name: "image",
      dtype: "uint8",
      shape: [28, 28, 1],
      normalization: { scale: 2 / 255, offset: -1 },
    },
  ];
  readonly tensors = new Map<string, Tensor>();
  constructor(private readonly rng: Rng) {}

  signs(shape: number[]): string {
    const name = `w${this.tensors.size}`;
    const n = shape.reduce((p, d) => p * d, 1);
    this.tensors.set(
      name,
      packBitTensor(
        Float32Array.from({ length: n }, () => (this.rng.next() < 0.5 ? -1 : 1)),
        shape,
      ),
    );
    return name;
  }

  /** BatchNorm + sign folded: thresholds spread over ±zScale, some channels flipped. */
  bits(units: number, zScale: number): IntegerLayerOutput {
    const t = `t${this.tensors.size}`;
    const f = `f${this.tensors.size}`;
    const thresholds = Int32Array.from({ length: units }, () =>
      Math.round((this.rng.next() * 2 - 1) * zScale),
    );
    const flip = Uint8Array.from({ length: units }, () => (this.rng.next() < 0.3 ? 1 : 0));
    this.tensors.set(t, { dtype: "int32", shape: [units], data: thresholds });
    this.tensors.set(f, { dtype: "uint8", shape: [units], data: flip });
    return { kind: "bits", thresholds: t, flip: f };
  }

  logits(units: number): IntegerLayerOutput {
    const s = `s${this.tensors.size}`;
    const b = `b${this.tensors.size}`;
    const u = (lo: number, hi: number) =>
      Float32Array.from({ length: units }, () => lo + (hi - lo) * this.rng.next());
    this.tensors.set(s, { dtype: "float32", shape: [units], data: u(0.05, 0.2) });
    this.tensors.set(b, { dtype: "float32", shape: [units], data: u(-1, 1) });
    return { kind: "scaleBias", scale: s, bias: b };
  }

  model(name: string): OnebitModel {
    return {
      graph: { nodes: this.nodes },
      tensors: this.tensors,
      metadata: { name, labels: Array.from({ length: 10 }, (_, i) => String(i)) },
    };
  }
}

/** 784 (bytes, bit planes) → 256 → 128 → 10, softmax. */
export function mlpModel(seed = 1): Uint8Array {
  const b = new Builder(new Rng(seed));
  b.nodes.push(
    { op: "flatten", name: "flatten" },
    { op: "denseBitPlane", name: "dense0", weights: b.signs([256, 784]), output: b.bits(256, 2000) },
    { op: "binaryDense", name: "dense1", weights: b.signs([128, 256]), output: b.bits(128, 16) },
    { op: "binaryDense", name: "dense2", weights: b.signs([10, 128]), output: b.logits(10) },
    { op: "softmax", name: "probabilities" },
  );
  return writeModel(b.model("test-mlp"));
}

/** 3×3 bit-plane conv (16) → pool → 3×3 binary conv (32) → pool → 10. */
export function convModel(seed = 2): Uint8Array {
  const b = new Builder(new Rng(seed));
  const pool = (name: string): GraphNode => ({
    op: "maxPool2d",
    name,
    kernel: [2, 2],
    stride: [2, 2],
    padding: "valid",
  });
  b.nodes.push(
    {
      op: "conv2dBitPlane",
      name: "conv0",
      weights: b.signs([16, 3, 3, 1]),
      kernel: [3, 3],
      stride: [1, 1],
      padding: "same",
      padValue: 0,
      output: b.bits(16, 300),
    },
    pool("pool0"),
    {
      op: "binaryConv2d",
      name: "conv1",
      weights: b.signs([32, 3, 3, 16]),
      kernel: [3, 3],
      stride: [1, 1],
      padding: "same",
      output: b.bits(32, 10),
    },
    pool("pool1"),
    { op: "flatten", name: "flatten" },
    { op: "binaryDense", name: "dense", weights: b.signs([10, 7 * 7 * 32]), output: b.logits(10) },
  );
  return writeModel(b.model("test-conv"));
}
