import fc from "fast-check";
import {
  type BitTensor,
  crc32,
  type Graph,
  type GraphNode,
  type ModelMetadata,
  type OnebitModel,
  packBitTensor,
  type Tensor,
  windowAxis,
} from "../src/index.js";

/** Small deterministic PRNG (mulberry32) so fixtures are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Builds tensors for a model from a seeded PRNG. */
export class TensorMaker {
  readonly tensors = new Map<string, Tensor>();
  constructor(private readonly random: () => number) {}
  float(name: string, shape: number[]): string {
    const data = Float32Array.from({ length: prod(shape) }, () => this.random() * 2 - 1);
    this.tensors.set(name, { dtype: "float32", shape, data });
    return name;
  }
  int(name: string, shape: number[], lo: number, hi: number): string {
    const data = Int32Array.from(
      { length: prod(shape) },
      () => lo + Math.floor(this.random() * (hi - lo + 1)),
    );
    this.tensors.set(name, { dtype: "int32", shape, data });
    return name;
  }
  flags(name: string, n: number): string {
    this.tensors.set(name, {
      dtype: "uint8",
      shape: [n],
      data: Uint8Array.from({ length: n }, () => (this.random() < 0.3 ? 1 : 0)),
    });
    return name;
  }
  bits(name: string, shape: number[]): string {
    const t: BitTensor = packBitTensor(
      Float32Array.from({ length: prod(shape) }, () => this.random() - 0.5),
      shape,
    );
    this.tensors.set(name, t);
    return name;
  }
}

/** 784 → bit-plane 64 → binary 32 → binary 10 (logits) → softmax → argmax, uint8 input. */
export function mlpModel(seed = 1): OnebitModel {
  const t = new TensorMaker(rng(seed));
  const nodes: GraphNode[] = [
    {
      op: "input",
      name: "image",
      dtype: "uint8",
      shape: [784],
      normalization: { scale: 1 / 255, offset: 0 },
    },
    {
      op: "denseBitPlane",
      name: "fc1",
      weights: t.bits("fc1.weights", [64, 784]),
      output: {
        kind: "bits",
        thresholds: t.int("fc1.thresholds", [64], -2000, 2000),
        flip: t.flags("fc1.flip", 64),
      },
    },
    {
      op: "binaryDense",
      name: "fc2",
      weights: t.bits("fc2.weights", [32, 64]),
      output: { kind: "bits", thresholds: t.int("fc2.thresholds", [32], -64, 64) },
    },
    {
      op: "binaryDense",
      name: "fc3",
      weights: t.bits("fc3.weights", [10, 32]),
      output: { kind: "scaleBias", scale: t.float("fc3.scale", [10]), bias: t.float("fc3.bias", [10]) },
    },
    { op: "softmax", name: "probabilities" },
    { op: "argmax", name: "class" },
  ];
  return {
    graph: { nodes },
    tensors: t.tensors,
    metadata: {
      name: "mnist-mlp-test",
      description: "a small binary MLP for tests",
      labels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
      provenance: {
        dataset: "mnist",
        accuracy: 0.9812,
        epochs: 20,
        seed: 42,
        libraryVersion: "0.1.0",
        date: "2026-11-26T02:30:00Z",
      },
      extra: { optimizer: "adam", batchSize: 100, augmented: false },
    },
  };
}

/** Float first conv (bits out) → pool with minMask → binary conv → flatten → binary dense logits → argmax. */
export function convModel(seed = 2): OnebitModel {
  const t = new TensorMaker(rng(seed));
  const nodes: GraphNode[] = [
    {
      op: "input",
      name: "image",
      dtype: "float32",
      shape: [9, 7, 2],
      normalization: { scale: 2, offset: -1 },
    },
    {
      op: "conv2dFloat",
      name: "conv1",
      weights: t.float("conv1.weights", [5, 3, 3, 2]),
      bias: t.float("conv1.bias", [5]),
      kernel: [3, 3],
      stride: [1, 1],
      padding: "same",
      output: { kind: "bits", thresholds: t.float("conv1.thresholds", [5]), flip: t.flags("conv1.flip", 5) },
    },
    {
      op: "maxPool2d",
      name: "pool1",
      kernel: [2, 2],
      stride: [2, 2],
      padding: "same",
      minMask: t.bits("pool1.minMask", [5]),
    },
    {
      op: "binaryConv2d",
      name: "conv2",
      weights: t.bits("conv2.weights", [33, 3, 3, 5]),
      kernel: [3, 3],
      stride: [1, 2],
      padding: "valid",
      output: {
        kind: "bits",
        thresholds: t.int("conv2.thresholds", [33], -45, 45),
        flip: t.flags("conv2.flip", 33),
      },
    },
    { op: "flatten", name: "flatten" },
    {
      op: "binaryDense",
      name: "fc",
      weights: t.bits("fc.weights", [3, 99]),
      output: { kind: "scaleBias", scale: t.float("fc.scale", [3]), bias: t.float("fc.bias", [3]) },
    },
    { op: "argmax", name: "class" },
  ];
  return { graph: { nodes }, tensors: t.tensors, metadata: { name: "conv-test", labels: ["a", "b", "c"] } };
}

/**
 * Assembles a .onebit file byte by byte from SPEC.md §1 — independently of `writeModel` — so
 * tests can build files the writer would refuse (bad versions, bad JSON, overlapping tensors).
 */
export function buildFile(
  header: string | object,
  data: Uint8Array = new Uint8Array(0),
  opts: { major?: number; minor?: number; flags?: number; reserved?: number; fileLength?: number } = {},
): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const dataStart = Math.ceil((32 + json.length) / 64) * 64;
  const length = dataStart + data.length + 4;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out.set([0x4f, 0x4e, 0x45, 0x42, 0x49, 0x54, 0, 0]);
  view.setUint16(8, opts.major ?? 1, true);
  view.setUint16(10, opts.minor ?? 0, true);
  view.setUint32(12, opts.flags ?? 0, true);
  const declared = opts.fileLength ?? length;
  view.setUint32(16, declared % 2 ** 32, true);
  view.setUint32(20, Math.floor(declared / 2 ** 32), true);
  view.setUint32(24, json.length, true);
  view.setUint32(28, opts.reserved ?? 0, true);
  out.set(json, 32);
  out.set(data, dataStart);
  view.setUint32(length - 4, crc32(out, 0, length - 4), true);
  return out;
}

/** Splits a file written by `writeModel` into its parsed header object and data section. */
export function splitFile(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = view.getUint32(24, true);
  const dataStart = Math.ceil((32 + h) / 64) * 64;
  return {
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(32, 32 + h))),
    data: bytes.slice(dataStart, bytes.length - 4),
  };
}

/** Recomputes the trailing CRC-32 after a test changed some bytes. */
export function fixChecksum(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(
    bytes.length - 4,
    crc32(bytes, 0, bytes.length - 4),
    true,
  );
  return bytes;
}

type State = { kind: "float32" | "uint8" | "bits"; shape: number[] };

/**
 * A random valid model: a random chain of ops, each chosen among those valid for the current
 * value (kind and rank), with random sizes (fan-ins not multiples of 32, single rows and columns).
 * `choices` drive the structure (so fast-check can shrink it), `seed` the tensor contents.
 */
export function randomModel(choices: readonly number[], seed: number): OnebitModel {
  const random = rng(seed);
  const t = new TensorMaker(random);
  let c = 0;
  const pick = (n: number) => (choices[c++ % Math.max(choices.length, 1)] ?? 0) % n;
  const small = (max: number) => 1 + pick(max);
  const nodes: GraphNode[] = [];
  const rank3 = pick(2) === 0;
  const dtype = pick(2) === 0 ? "float32" : "uint8";
  const inputShape = rank3 ? [small(6), small(6), small(4)] : [small(70)];
  nodes.push({
    op: "input",
    name: "in",
    dtype,
    shape: inputShape,
    ...(pick(2) ? { normalization: { scale: 1 / 255, offset: -0.5 } } : {}),
  });
  let s: State = { kind: dtype, shape: inputShape };
  const layers = pick(5);
  let ended = false;
  for (let i = 0; i < layers && !ended; i++) {
    const name = `n${i}`;
    const units = small(40);
    const integerOut = (integer: boolean) =>
      pick(2) === 0
        ? {
            kind: "bits" as const,
            thresholds: integer ? t.int(`${name}.t`, [units], -50, 50) : t.float(`${name}.t`, [units]),
            ...(pick(2) ? { flip: t.flags(`${name}.f`, units) } : {}),
          }
        : {
            kind: "scaleBias" as const,
            scale: t.float(`${name}.s`, [units]),
            bias: t.float(`${name}.b`, [units]),
          };
    const floatOut = () =>
      pick(2) === 0
        ? { kind: "float32" as const }
        : {
            kind: "bits" as const,
            thresholds: t.float(`${name}.t`, [units]),
            ...(pick(2) ? { flip: t.flags(`${name}.f`, units) } : {}),
          };
    if (s.shape.length === 3) {
      const [h, w, ch] = s.shape as [number, number, number];
      const kernel = [small(Math.min(h, 3)), small(Math.min(w, 3))] as const;
      const stride = [small(2), small(2)] as const;
      const padding = pick(2) === 0 ? ("same" as const) : ("valid" as const);
      const spatial = [
        windowAxis(h, kernel[0], stride[0], padding).out,
        windowAxis(w, kernel[1], stride[1], padding).out,
      ];
      const options =
        s.kind === "bits" ? ["binaryConv2d", "maxPool2d", "flatten"] : ["conv2dFloat", "flatten"];
      if (s.kind === "uint8") options.push("conv2dBitPlane");
      if (s.kind === "float32") options.push("maxPool2d");
      const op = options[pick(options.length)]!;
      if (op === "flatten") {
        nodes.push({ op, name });
        s = { kind: s.kind, shape: [h * w * ch] };
      } else if (op === "maxPool2d") {
        const minMask = s.kind === "bits" && pick(2) ? { minMask: t.bits(`${name}.m`, [ch]) } : {};
        nodes.push({ op, name, kernel, stride, padding, ...minMask });
        s = { kind: s.kind, shape: [...spatial, ch] };
      } else if (op === "conv2dFloat") {
        const out = floatOut();
        nodes.push({
          op,
          name,
          weights: t.float(`${name}.w`, [units, ...kernel, ch]),
          ...(pick(2) ? { bias: t.float(`${name}.bias`, [units]) } : {}),
          kernel,
          stride,
          padding,
          ...(pick(2) ? { padValue: 0.25 } : {}),
          output: out,
        });
        s = { kind: out.kind === "bits" ? "bits" : "float32", shape: [...spatial, units] };
      } else {
        const out = integerOut(true);
        const weights = t.bits(`${name}.w`, [units, ...kernel, ch]);
        nodes.push(
          op === "binaryConv2d"
            ? { op, name, weights, kernel, stride, padding, output: out }
            : {
                op: "conv2dBitPlane",
                name,
                weights,
                kernel,
                stride,
                padding,
                padValue: pick(256),
                output: out,
              },
        );
        s = { kind: out.kind === "bits" ? "bits" : "float32", shape: [...spatial, units] };
      }
    } else {
      const [k] = s.shape as [number];
      const options = ["denseFloat"];
      if (s.kind === "bits") options.push("binaryDense");
      if (s.kind === "uint8") options.push("denseBitPlane");
      if (s.kind === "float32") options.push("softmax", "argmax");
      const op = options[pick(options.length)]!;
      if (op === "softmax") nodes.push({ op, name });
      else if (op === "argmax") {
        nodes.push({ op, name });
        ended = true;
      } else if (op === "denseFloat") {
        const out = floatOut();
        nodes.push({
          op,
          name,
          weights: t.float(`${name}.w`, [units, k]),
          ...(pick(2) ? { bias: t.float(`${name}.bias`, [units]) } : {}),
          output: out,
        });
        s = { kind: out.kind === "bits" ? "bits" : "float32", shape: [units] };
      } else {
        const out = integerOut(true);
        nodes.push({
          op: op as "binaryDense" | "denseBitPlane",
          name,
          weights: t.bits(`${name}.w`, [units, k]),
          output: out,
        });
        s = { kind: out.kind === "bits" ? "bits" : "float32", shape: [units] };
      }
    }
  }
  // An unreferenced extra tensor of each remaining dtype, so every dtype round-trips.
  t.tensors.set("extra.int8", { dtype: "int8", shape: [3], data: Int8Array.of(-128, 0, 127) });
  t.tensors.set("extra.scalar", { dtype: "float32", shape: [], data: Float32Array.of(Math.PI) });
  const graph: Graph = { nodes };
  const metadata: ModelMetadata = { name: `random-${seed}`, provenance: { seed } };
  return { graph, tensors: t.tensors, metadata };
}

export const modelArbitrary = fc
  .record({ choices: fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }), seed: fc.nat() })
  .map(({ choices, seed }) => randomModel(choices, seed));
