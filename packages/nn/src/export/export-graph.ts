import {
  foldBatchNormToThresholds,
  type GraphModel as GraphFile,
  type GraphNodeV2,
  type ModelMetadata,
  packBitTensor,
  type Tensor,
} from "@onebit/format";
import { NnError } from "../errors.js";
import { HardTanh, QuantizerActivation } from "../layers/activations.js";
import { Add } from "../layers/add.js";
import { BatchNorm } from "../layers/batch-norm.js";
import { PReLU, ReLU, RPReLU, RSign, Scale } from "../layers/channelwise.js";
import { Concat } from "../layers/concat.js";
import { Conv2d } from "../layers/conv2d.js";
import { Dense } from "../layers/dense.js";
import { DepthwiseConv2d } from "../layers/depthwise-conv2d.js";
import { Dropout } from "../layers/dropout.js";
import { Flatten } from "../layers/flatten.js";
import type { Layer } from "../layers/layer.js";
import { MaxPool2d } from "../layers/max-pool2d.js";
import { AvgPool2d, GlobalAvgPool2d } from "../layers/pooling.js";
import type { QuantizedLayer } from "../layers/quantized-layer.js";
import type { Model } from "../model-base.js";
import { isPlainSign } from "../quantizers.js";

export interface GraphExportOptions {
  /** Model name in the metadata (default: the model's name). */
  name?: string;
  description?: string;
  labels?: readonly string[];
}

type Kind = "float32" | "bits";

/** [K, O] (dense) or [kh, kw, C, O] (conv) → [O, K] / [O, kh, kw, C]: one row per output channel. */
function outputMajor(values: Float32Array, outputs: number): Float32Array {
  const inner = values.length / outputs;
  const out = new Float32Array(values.length);
  for (let k = 0; k < inner; k++)
    for (let o = 0; o < outputs; o++) out[o * inner + k] = values[k * outputs + o]!;
  return out;
}

function refuse(layer: Layer, why: string): never {
  throw new NnError("UNSUPPORTED_EXPORT", `cannot export "${layer.name}" (${layer.type}): ${why}`);
}

/**
 * Writes any model — `sequential` or a graph — as a version 2 graph of @onebit/format (SPEC.md
 * appendix C), one op per layer: binary layers whose inputs are signs become `bdense`/`bconv2d`
 * (packed ±1 weights, XNOR-popcount, the float output transform carrying α and the bias), sign
 * activations and RSign become `sign` (RSign's threshold per channel), and everything else its float
 * op (BatchNorm with its moving statistics, add, concat, pooling, PReLU, RPReLU, scale as `mul`).
 * Bits go back to floats through `dequantize` where a float op reads them. Folding: a binary op
 * followed only by BatchNorm and a sign outputs bits through per-channel integer thresholds (exact
 * over the integer dot); a BatchNorm read only from a binary op otherwise folds into that op's
 * output transform (LCE's multiplier and bias).
 * `runReference` of the result computes the model's evaluation-mode function. NnError
 * UNSUPPORTED_EXPORT otherwise.
 */
export function exportGraph(model: Model, options: GraphExportOptions = {}): GraphFile {
  const tensors = new Map<string, Tensor>();
  const nodes: GraphNodeV2[] = [];
  const addTensor = (name: string, data: Float32Array, shape: readonly number[] = [data.length]): string => {
    tensors.set(name, { dtype: "float32", shape: [...shape], data: Float32Array.from(data) });
    return name;
  };
  const push = (node: Record<string, unknown>): string => {
    nodes.push(node as unknown as GraphNodeV2);
    return node["name"] as string;
  };
  const topology = model.topology();
  const values: { name: string; kind: Kind }[] = [{ name: "input", kind: "float32" }];
  // How many layers read each node, and the output transforms (multiplier, bias tensor names) of the
  // binary ops emitted so far: a BatchNorm read only by such an op folds into its transform.
  const readers = new Array<number>(topology.length).fill(0);
  const readerOf = new Array<number>(topology.length).fill(-1);
  topology.forEach((n, i) => {
    for (const j of n.inputs) {
      readers[j]!++;
      readerOf[j] = i;
    }
  });
  /** Nodes whose value is another node's (a BatchNorm and sign folded into a binary op's bits). */
  const aliases = new Map<number, number>();
  const transforms = new Map<string, { multiplier: string; bias: string }>();
  const converted = new Map<string, string>();
  /** `v` as `kind`, through one shared conversion node per value (`dequantize`: ±1 floats; `sign`: x ≥ 0). */
  const as = (v: { name: string; kind: Kind }, kind: Kind): string => {
    if (v.kind === kind) return v.name;
    const key = `${v.name}→${kind}`;
    if (!converted.has(key)) {
      const [op, suffix] = kind === "float32" ? ["dequantize", "float"] : ["sign", "sign"];
      converted.set(key, push({ op, name: `${v.name}/${suffix}`, inputs: [v.name] }));
    }
    return converted.get(key)!;
  };
  const floatOf = (v: { name: string; kind: Kind }) => as(v, "float32");
  const bitsOf = (v: { name: string; kind: Kind }) => as(v, "bits");

  for (let i = 1; i < topology.length; i++) {
    const { layer, inputs } = topology[i]!;
    const ins = inputs.map((j) => values[j]!);
    const x = ins[0]!;
    const name = layer!.name;
    const l = layer!;
    let out: { name: string; kind: Kind };
    if (aliases.has(i)) out = values[aliases.get(i)!]!;
    else if (l instanceof Dropout) out = x;
    else if (l instanceof Flatten)
      out = { name: push({ op: "flatten", name, inputs: [x.name] }), kind: x.kind };
    else if (l instanceof QuantizerActivation) {
      if (!isPlainSign(l.quantizer)) refuse(l, `the ${l.quantizer.name} activation has no graph op`);
      out = { name: bitsOf(x), kind: "bits" };
    } else if (l instanceof RSign) {
      const thresholds = addTensor(`${name}/thresholds`, l.params()[0]!.value);
      out = { name: push({ op: "sign", name, inputs: [floatOf(x)], thresholds }), kind: "bits" };
    } else if (l instanceof BatchNorm && transforms.has(x.name) && readers[inputs[0]!] === 1) {
      foldBatchNorm(l, transforms.get(x.name)!);
      out = x;
    } else if (l instanceof BatchNorm) {
      const [mean, variance] = [l.movingMean, l.movingVariance];
      out = {
        name: push({
          op: "batchNorm",
          name,
          inputs: [floatOf(x)],
          mean: addTensor(`${name}/mean`, mean),
          variance: addTensor(`${name}/variance`, variance),
          gamma: addTensor(`${name}/gamma`, l.gamma),
          beta: addTensor(`${name}/beta`, l.beta),
          epsilon: l.epsilon,
        }),
        kind: "float32",
      };
    } else if (l instanceof ReLU)
      out = { name: push({ op: "relu", name, inputs: [floatOf(x)] }), kind: "float32" };
    else if (l instanceof PReLU) {
      const alpha = addTensor(`${name}/alpha`, l.params()[0]!.value);
      out = { name: push({ op: "prelu", name, inputs: [floatOf(x)], alpha }), kind: "float32" };
    } else if (l instanceof RPReLU) {
      const [gamma, beta, zeta] = l.params().map((p) => p.value);
      out = {
        name: push({
          op: "rprelu",
          name,
          inputs: [floatOf(x)],
          shiftIn: addTensor(`${name}/shift_in`, gamma!),
          alpha: addTensor(`${name}/alpha`, beta!),
          shiftOut: addTensor(`${name}/shift_out`, zeta!),
        }),
        kind: "float32",
      };
    } else if (l instanceof Scale) {
      const scale = addTensor(`${name}/scale`, l.params()[0]!.value);
      out = { name: push({ op: "mul", name, inputs: [floatOf(x)], scale }), kind: "float32" };
    } else if (l instanceof Add) {
      // The graph's add takes two inputs: a chain for more.
      let acc = floatOf(x);
      for (let k = 1; k < ins.length; k++) {
        const last = k === ins.length - 1;
        acc = push({ op: "add", name: last ? name : `${name}/${k}`, inputs: [acc, floatOf(ins[k]!)] });
      }
      out = { name: acc, kind: "float32" };
    } else if (l instanceof Concat) {
      const allBits = ins.every((v) => v.kind === "bits");
      const names = ins.map((v) => (allBits ? v.name : floatOf(v)));
      out = { name: push({ op: "concat", name, inputs: names }), kind: allBits ? "bits" : "float32" };
    } else if (l instanceof AvgPool2d || l instanceof MaxPool2d) {
      const keepBits = l instanceof MaxPool2d && x.kind === "bits";
      out = {
        name: push({
          op: l instanceof AvgPool2d ? "avgPool2d" : "maxPool2d",
          name,
          inputs: [keepBits ? x.name : floatOf(x)],
          kernel: l.poolSize,
          stride: l.strides,
          padding: "valid",
        }),
        kind: keepBits ? "bits" : "float32",
      };
    } else if (l instanceof GlobalAvgPool2d) {
      out = { name: push({ op: "globalAvgPool", name, inputs: [floatOf(x)] }), kind: "float32" };
    } else if (l instanceof Dense || l instanceof Conv2d || l instanceof DepthwiseConv2d) {
      out = kernelLayer(l, x, i);
    } else if (l instanceof HardTanh) refuse(l, "hardTanh has no graph op");
    else refuse(l, "no graph op for this layer type");
    values.push(out);
  }

  /**
   * LCE's output transform absorbs a following BatchNorm: γ·(m·dot + b − μ)/σ + β = m'·dot + b' with
   * m' = m·γ/σ and b' = (b − μ)·γ/σ + β, σ = √(variance + ε).
   */
  function foldBatchNorm(bn: BatchNorm, t: { multiplier: string; bias: string }): void {
    const m = tensors.get(t.multiplier)!.data as Float32Array;
    const b = tensors.get(t.bias)!.data as Float32Array;
    for (let c = 0; c < m.length; c++) {
      const k = bn.gamma[c]! / Math.sqrt(bn.movingVariance[c]! + bn.epsilon);
      m[c] = m[c]! * k;
      b[c] = (b[c]! - bn.movingMean[c]!) * k + bn.beta[c]!;
    }
  }

  /** Dense, Conv2d, DepthwiseConv2d: a binary op over bits where both sides are ±1, else the float op. */
  /**
   * BatchNorm then a plain sign, each the only reader of the value before it, after binary op `i`:
   * the BatchNorm that folds with the sign into integer thresholds, else undefined.
   */
  function signAfter(i: number): BatchNorm | undefined {
    const bn = readers[i] === 1 ? topology[readerOf[i]!]!.layer : undefined;
    if (!(bn instanceof BatchNorm) || readers[readerOf[i]!] !== 1) return undefined;
    const sign = topology[readerOf[readerOf[i]!]!]!.layer;
    if (!(sign instanceof QuantizerActivation) || !isPlainSign(sign.quantizer)) return undefined;
    aliases.set(readerOf[i]!, i);
    aliases.set(readerOf[readerOf[i]!]!, i);
    return bn;
  }

  function kernelLayer(
    l: Dense | Conv2d | DepthwiseConv2d,
    v: { name: string; kind: Kind },
    index: number,
  ): { name: string; kind: Kind } {
    const name = l.name;
    const channels = l.channels;
    let x = v;
    if (l.inputQuantizer) {
      if (!isPlainSign(l.inputQuantizer))
        refuse(l, `the ${l.inputQuantizer.name} input quantizer has no graph op`);
      x = { name: bitsOf(v), kind: "bits" };
    }
    const q = l.kernelQuantizer;
    const signKernel = q !== undefined && q.bits === 1;
    const bias = (l as QuantizedLayer).bias?.value ?? new Float32Array(channels);
    const conv = l instanceof Conv2d ? l : undefined;
    const window = (c: Conv2d | DepthwiseConv2d) => ({
      kernel: c.kernelSize,
      stride: c.strides,
      dilation: [1, 1],
      padding: c.padding,
    });
    if (signKernel && x.kind === "bits" && !(l instanceof DepthwiseConv2d)) {
      if (conv && conv.padding === "same" && conv.padValue !== 0 && conv.padValue !== 1) {
        refuse(
          l,
          `binary convolutions pad with +1 or leave padding out, this one pads with ${conv.padValue}`,
        );
      }
      const kernel = l.kernel;
      const shape = conv ? [channels, ...kernel.shape.slice(0, 3)] : [channels, kernel.shape[0]!];
      const weights = `${name}/weights`;
      tensors.set(weights, packBitTensor(outputMajor(l.binaryWeights(), channels), shape));
      const scales = l.kernelScales() ?? new Float32Array(channels).fill(1);
      const bn = signAfter(index);
      let output: Record<string, unknown>;
      if (bn) {
        // BatchNorm + sign over the exact integer dot: one comparison per channel (DESIGN.md's folding).
        const fanIn = kernel.value.length / channels;
        const folded = foldBatchNormToThresholds(
          {
            gamma: bn.gamma,
            beta: bn.beta,
            mean: bn.movingMean,
            variance: bn.movingVariance,
            epsilon: bn.epsilon,
            bias,
            dotScale: scales,
          },
          { min: -fanIn, max: fanIn },
          { arithmetic: "float32" },
        );
        const thresholds = `${name}/thresholds`;
        tensors.set(thresholds, {
          dtype: "int32",
          shape: [channels],
          data: Int32Array.from(folded.thresholds),
        });
        output = { kind: "bits", thresholds };
        if (folded.flip.some((f) => f !== 0)) {
          output["flip"] = `${name}/flip`;
          tensors.set(`${name}/flip`, {
            dtype: "uint8",
            shape: [channels],
            data: Uint8Array.from(folded.flip),
          });
        }
      } else {
        const multiplier = addTensor(`${name}/multiplier`, scales);
        const transform = { multiplier, bias: addTensor(`${name}/bias`, bias) };
        transforms.set(name, transform);
        output = { kind: "float32", ...transform };
      }
      const emitted = push(
        conv
          ? {
              op: "bconv2d",
              name,
              inputs: [x.name],
              weights,
              ...window(conv),
              padValue: conv.padding === "same" ? conv.padValue : 1,
              output,
            }
          : { op: "bdense", name, inputs: [x.name], weights, output },
      );
      return { name: emitted, kind: bn ? "bits" : "float32" };
    }
    const w = outputMajor(l.effectiveWeights(), channels);
    const weights = addTensor(`${name}/weights`, w, [
      channels,
      ...l.kernel.shape.slice(0, -1),
      ...(l instanceof DepthwiseConv2d ? [1] : []),
    ]);
    const biasRef = addTensor(`${name}/bias`, bias);
    if (l instanceof Dense) {
      return { name: push({ op: "dense", name, inputs: [x.name], weights, bias: biasRef }), kind: "float32" };
    }
    const input = floatOf(x);
    const node = push({
      op: l instanceof DepthwiseConv2d ? "depthwiseConv2d" : "conv2d",
      name,
      inputs: [input],
      weights,
      bias: biasRef,
      ...window(l),
      padValue: l.padValue,
    });
    return { name: node, kind: "float32" };
  }

  const last = values[values.length - 1]!;
  const output = floatOf(last);
  const metadata: ModelMetadata = {
    name: options.name ?? model.name,
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.labels !== undefined ? { labels: [...options.labels] } : {}),
  };
  return {
    graph: {
      inputs: [{ name: "input", dtype: "float32", shape: [...model.inputShape] }],
      outputs: [output],
      nodes,
    },
    tensors,
    metadata,
  };
}
