import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  type GraphModel,
  type GraphNodeV2,
  graphTensorRefs,
  packBitTensor,
  runReference,
  type Tensor,
  writeGraphModel,
} from "@onebit/format";
import { Rng } from "@onebit/tensor";
import { encodeModel, type Initializer, type NodeSpec } from "../onnx/model.js";

/**
 * A Bi-Real-shaped binary ResNet at CIFAR size (32×32×3): float 3×3 stem, four stages of four binary
 * 3×3 convolutions (64, 128, 256, 512 channels at 32², 16², 8², 4²), each with a real-valued shortcut
 * added around it (sign → binary conv → per-channel multiplier and bias, the folded BatchNorm → add);
 * the first conv of stages 2–4 has stride 2 and a 2×2 average-pool + float 1×1 conv shortcut; global
 * average pool and a float dense head. `float` builds the same graph with float 3×3 convolutions in
 * place of sign + binary conv — the float network it stands for — for onnxruntime-node.
 */
export interface BiRealGraphs {
  readonly binary: GraphModel;
  readonly float: GraphModel;
  /** The float graph in ONNX (NCHW input, same weights, same order of operations). */
  readonly onnx: Uint8Array;
}

const WIDTHS = [64, 128, 256, 512] as const;
const CONVS_PER_STAGE = 4;

class Builder {
  readonly binary: GraphNodeV2[] = [];
  readonly float: GraphNodeV2[] = [];
  readonly tensors = new Map<string, Tensor>();
  readonly onnxNodes: NodeSpec[] = [];
  readonly initializers: Initializer[] = [];
  constructor(readonly rng: Rng) {}

  floats(name: string, shape: number[], scale: number): Float32Array {
    const n = shape.reduce((p, d) => p * d, 1);
    const data = this.rng.uniformArray(n, -scale, scale);
    this.tensors.set(name, { dtype: "float32", shape, data });
    return data;
  }
  /** NHWC weights [out, kh, kw, in] to ONNX's [out, in, kh, kw]. */
  onnxConvWeights(name: string, w: Float32Array, out: number, k: number, cin: number): void {
    const t = new Float32Array(w.length);
    for (let o = 0; o < out; o++)
      for (let y = 0; y < k; y++)
        for (let x = 0; x < k; x++)
          for (let c = 0; c < cin; c++)
            t[((o * cin + c) * k + y) * k + x] = w[((o * k + y) * k + x) * cin + c]!;
    this.initializers.push({ name, dims: [out, cin, k, k], data: t });
  }
  both(node: GraphNodeV2): string {
    this.binary.push(node);
    this.float.push(node);
    return node.name;
  }
  /** A float conv (stem, shortcut projection) in both graphs and in ONNX. */
  conv(name: string, input: string, cin: number, out: number, k: number, stride: number): string {
    const w = this.floats(`${name}.w`, [out, k, k, cin], Math.sqrt(3 / (k * k * cin)));
    const b = this.floats(`${name}.b`, [out], 0.1);
    this.both({
      op: "conv2d",
      name,
      inputs: [input],
      weights: `${name}.w`,
      bias: `${name}.b`,
      kernel: [k, k],
      stride: [stride, stride],
      dilation: [1, 1],
      groups: 1,
      padding: k === 1 ? "valid" : "same",
      padValue: 0,
    } as GraphNodeV2);
    this.onnxConvWeights(`${name}.w`, w, out, k, cin);
    this.initializers.push({ name: `${name}.b`, dims: [out], data: b });
    this.onnxNodes.push({
      op: "Conv",
      inputs: [input, `${name}.w`, `${name}.b`],
      outputs: [name],
      attributes: { kernel_shape: [k, k], strides: [stride, stride], pads: samePads(k, stride) },
    });
    return name;
  }
  /** Binary conv with its folded BatchNorm (binary graph), or the float conv it replaces (float graph, ONNX). */
  block(name: string, input: string, cin: number, out: number, stride: number): string {
    const signs = this.rng.signs(out * 9 * cin);
    const bitsName = `${name}.w`;
    this.tensors.set(bitsName, packBitTensor(signs, [out, 3, 3, cin]));
    const m = this.floats(`${name}.m`, [out], 1);
    for (let i = 0; i < m.length; i++) m[i] = m[i]! / Math.sqrt(9 * cin);
    this.floats(`${name}.bias`, [out], 0.1);
    const sign = `${name}.sign`;
    this.binary.push({ op: "sign", name: sign, inputs: [input] } as GraphNodeV2);
    this.binary.push({
      op: "bconv2d",
      name,
      inputs: [sign],
      weights: bitsName,
      kernel: [3, 3],
      stride: [stride, stride],
      dilation: [1, 1],
      groups: 1,
      padding: "same",
      padValue: 1,
      output: { kind: "float32", multiplier: `${name}.m`, bias: `${name}.bias` },
    } as GraphNodeV2);
    // The float twin: the same weights as floats, scaled like the binary conv's multiplier.
    const fw = new Float32Array(signs.length);
    for (let o = 0; o < out; o++)
      for (let j = 0; j < 9 * cin; j++) fw[o * 9 * cin + j] = signs[o * 9 * cin + j]! * m[o]!;
    this.tensors.set(`${name}.fw`, { dtype: "float32", shape: [out, 3, 3, cin], data: fw });
    this.float.push({
      op: "conv2d",
      name,
      inputs: [input],
      weights: `${name}.fw`,
      bias: `${name}.bias`,
      kernel: [3, 3],
      stride: [stride, stride],
      dilation: [1, 1],
      groups: 1,
      padding: "same",
      padValue: 0,
    } as GraphNodeV2);
    this.onnxConvWeights(`${name}.fw`, fw, out, 3, cin);
    this.initializers.push({
      name: `${name}.bias`,
      dims: [out],
      data: this.tensors.get(`${name}.bias`)!.data as Float32Array,
    });
    this.onnxNodes.push({
      op: "Conv",
      inputs: [input, `${name}.fw`, `${name}.bias`],
      outputs: [name],
      attributes: { kernel_shape: [3, 3], strides: [stride, stride], pads: samePads(3, stride) },
    });
    return name;
  }
  add(name: string, a: string, b: string): string {
    this.both({ op: "add", name, inputs: [a, b] } as GraphNodeV2);
    this.onnxNodes.push({ op: "Add", inputs: [a, b], outputs: [name] });
    return name;
  }
}

/** ONNX pads [top, left, bottom, right] of a 'same' k×k conv with stride s on an even size (extra at the end). */
function samePads(k: number, s: number): number[] {
  if (k === 1) return [0, 0, 0, 0];
  const total = Math.max(k - s, 0);
  const before = Math.floor(total / 2);
  return [before, before, total - before, total - before];
}

export function biRealCifar(seed = 18): BiRealGraphs {
  const b = new Builder(new Rng(seed));
  let x = b.conv("stem", "image", 3, WIDTHS[0], 3, 1);
  let channels: number = WIDTHS[0];
  WIDTHS.forEach((width, stage) => {
    for (let i = 0; i < CONVS_PER_STAGE; i++) {
      const name = `s${stage + 1}.c${i + 1}`;
      const down = stage > 0 && i === 0;
      let shortcut = x;
      if (down) {
        const pool = `${name}.pool`;
        b.both({
          op: "avgPool2d",
          name: pool,
          inputs: [x],
          kernel: [2, 2],
          stride: [2, 2],
          padding: "valid",
        } as GraphNodeV2);
        b.onnxNodes.push({
          op: "AveragePool",
          inputs: [x],
          outputs: [pool],
          attributes: { kernel_shape: [2, 2], strides: [2, 2] },
        });
        shortcut = b.conv(`${name}.proj`, pool, channels, width, 1, 1);
      }
      const y = b.block(name, x, channels, width, down ? 2 : 1);
      x = b.add(`${name}.add`, y, shortcut);
      channels = width;
    }
  });
  b.both({ op: "globalAvgPool", name: "gap", inputs: [x] } as GraphNodeV2);
  b.onnxNodes.push({ op: "GlobalAveragePool", inputs: [x], outputs: ["gap4"] });
  b.onnxNodes.push({ op: "Flatten", inputs: ["gap4"], outputs: ["gap"] });
  const hw = b.floats("head.w", [10, channels], Math.sqrt(3 / channels));
  const hb = b.floats("head.b", [10], 0.1);
  b.both({ op: "dense", name: "logits", inputs: ["gap"], weights: "head.w", bias: "head.b" } as GraphNodeV2);
  b.initializers.push(
    { name: "head.w", dims: [10, channels], data: hw },
    { name: "head.b", dims: [10], data: hb },
  );
  b.onnxNodes.push({
    op: "Gemm",
    inputs: ["gap", "head.w", "head.b"],
    outputs: ["logits"],
    attributes: { transB: 1 },
  });
  const input = { name: "image", dtype: "float32" as const, shape: [32, 32, 3] };
  const model = (nodes: GraphNodeV2[], name: string): GraphModel => {
    const graph = { inputs: [input], outputs: ["logits"], nodes };
    const tensors = new Map([...new Set(graphTensorRefs(graph))].map((n) => [n, b.tensors.get(n)!] as const));
    return { graph, tensors, metadata: { name } };
  };
  const onnx = encodeModel({
    name: "bireal-cifar-float",
    inputs: [{ name: "image", shape: ["N", 3, 32, 32] }],
    outputs: [{ name: "logits", shape: ["N", 10] }],
    initializers: b.initializers,
    nodes: b.onnxNodes,
  });
  return { binary: model(b.binary, "bireal-cifar"), float: model(b.float, "bireal-cifar-float"), onnx };
}

/** NHWC images to NCHW (ONNX's layout). */
export function toNchw(x: Float32Array, batch: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let n = 0; n < batch; n++)
    for (let y = 0; y < h; y++)
      for (let i = 0; i < w; i++)
        for (let k = 0; k < c; k++) out[((n * c + k) * h + y) * w + i] = x[((n * h + y) * w + i) * c + k]!;
  return out;
}

let cached: (BiRealGraphs & { readonly file: Uint8Array }) | undefined;

/** The graphs (built once per process) and the binary one as a .onebit file. */
export function loadBiReal(): BiRealGraphs & { readonly file: Uint8Array } {
  if (!cached) {
    const g = biRealCifar();
    cached = { ...g, file: writeGraphModel(g.binary) };
  }
  return cached;
}

/** One seeded 32×32×3 image (NHWC). */
export function biRealInput(): Float32Array {
  return new Rng(32).uniformArray(32 * 32 * 3, -1, 1);
}

/**
 * The reference logits of both graphs for `biRealInput()`, from @onebit/format's reference interpreter
 * (about 40 s, so kept here; regenerate with `pnpm --filter @onebit/bench exec tsx src/sections/bireal.ts`).
 */
export const BIREAL_REFERENCE = fileURLToPath(new URL("./bireal-reference.json", import.meta.url));

export interface BiRealReference {
  readonly binaryLogits: number[];
  readonly floatLogits: number[];
}

export function readBiRealReference(): BiRealReference | undefined {
  try {
    return JSON.parse(readFileSync(BIREAL_REFERENCE, "utf8")) as BiRealReference;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const g = loadBiReal();
  const x = biRealInput();
  const logits = (m: GraphModel) =>
    Array.from(runReference(m, { image: x }, 1)["logits"]!.data as Float32Array);
  const doc: BiRealReference = { binaryLogits: logits(g.binary), floatLogits: logits(g.float) };
  writeFileSync(BIREAL_REFERENCE, `${JSON.stringify(doc)}\n`);
  console.log(`wrote ${BIREAL_REFERENCE}`);
}
