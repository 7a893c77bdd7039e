import {
  type BitTensor,
  type GraphModel,
  type GraphNodeV2,
  packBitTensor,
  type Tensor,
} from "@onebit/format";
import { LceError } from "./errors.js";
import type { Bconv2dNode, GraphNode, LceGraph } from "./graph.js";

// The importer's graph written as a .onebit version 2 model (SPEC.md appendix C of @onebit/format):
// node objects with tensor references, the tensors (binary weights packed one bit each, +1 → bit 1),
// metadata. `writeGraphModel` of @onebit/format serializes it.
//
// Two LCE forms have no single appendix-C op and are written exactly with two or three:
// - a fused activation of LceBconv2d clamps the integer dot *before* the multiplier and bias, while
//   appendix C's `clamp` acts after them: such a bconv2d writes the clamped dot (multiplier 1, bias 0,
//   exact in float32), then the multiplier and bias as a `batchNorm`;
// - a per-channel x·s + o (TFLite MUL then ADD) is a `batchNorm` with mean 0, variance 1 − ε,
//   epsilon ε (ε = 2⁻²⁴: variance + ε is exactly 1 in float32), gamma s, beta o.

/**
 * Larq Zoo's `preprocess_input` (larq_zoo/training/data.py), recorded in the model's metadata for
 * runtimes that classify photos. Earlier Larq Zoo releases (larq_zoo/data.py) resized the shorter side
 * to 256 (bilinear) and cut the central 224 — the same 224/256 crop — with means 123.68, 116.78, 103.94.
 */
export const LARQ_ZOO_PREPROCESSING = Object.freeze({
  source: "larq_zoo preprocess_input",
  resize: "bicubic",
  /** Centre crop of ⌊224/256 · min(height, width)⌋ pixels, then resized to the input size. */
  centerCropFraction: 224 / 256,
  /** Per-channel (RGB) x′ = (x − mean) / std on 0…255 values. */
  mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
  std: [0.229 * 255, 0.224 * 255, 0.225 * 255],
});

export interface GraphModelOptions {
  /** Model name (default "lce-model"). */
  readonly name?: string;
  /** Where the model came from, e.g. the .tflite file name. */
  readonly source?: string;
  /** Class names of the output, index by index. */
  readonly labels?: readonly string[];
  /** Input preprocessing to record (e.g. {@link LARQ_ZOO_PREPROCESSING}). */
  readonly preprocessing?: Readonly<Record<string, unknown>>;
}

/** A .onebit version 2 model in memory (appendix C): graph, tensors by name, metadata. */
export interface GraphModelDraft {
  readonly graph: {
    readonly inputs: readonly {
      readonly name: string;
      readonly dtype: "float32";
      readonly shape: readonly number[];
    }[];
    readonly outputs: readonly string[];
    readonly nodes: readonly Readonly<Record<string, unknown>>[];
  };
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

const EPSILON = 2 ** -24;

/**
 * The imported graph as a .onebit version 2 model (`GraphModel` of @onebit/format, ready for
 * `writeGraphModel` and `runReference`); see the file comment for the two expanded forms.
 */
export function toOnebitModel(graph: LceGraph, options: GraphModelOptions = {}): GraphModel {
  const tensors = new Map<string, Tensor>();
  const nodes: Record<string, unknown>[] = [];
  const tensor = (name: string, value: Tensor): string => {
    if (tensors.has(name)) throw new LceError("BAD_MODEL", `tensor name "${name}" is used twice`);
    tensors.set(name, value);
    return name;
  };
  const f32 = (name: string, data: Float32Array, shape: readonly number[] = [data.length]) =>
    tensor(name, { dtype: "float32", shape, data });
  const affine = (name: string, input: string, scale: Float32Array, offset: Float32Array) => {
    const channels = scale.length;
    nodes.push({
      op: "batchNorm",
      name,
      inputs: [input],
      mean: f32(`${name}/mean`, new Float32Array(channels)),
      variance: f32(`${name}/variance`, new Float32Array(channels).fill(1 - EPSILON)),
      gamma: f32(`${name}/gamma`, scale),
      beta: f32(`${name}/beta`, offset),
      epsilon: EPSILON,
    });
  };

  for (const node of graph.nodes) {
    const base = { op: node.op, name: node.name, inputs: node.inputs };
    switch (node.op) {
      case "bconv2d":
        writeBconv2d(node, nodes, tensor, f32, affine);
        break;
      case "conv2d":
        nodes.push({
          ...base,
          weights: f32(`${node.name}/weights`, node.weights, node.weightsShape),
          ...(node.bias ? { bias: f32(`${node.name}/bias`, node.bias) } : {}),
          kernel: [node.weightsShape[1], node.weightsShape[2]],
          stride: node.stride,
          dilation: node.dilation,
          padding: node.padding,
        });
        break;
      case "depthwiseConv2d": {
        // TFLite's [kh, kw, C·m] becomes appendix C's [C·m, kh, kw, 1].
        const [kh, kw, outChannels] = node.weightsShape;
        const weights = new Float32Array(node.weights.length);
        for (let t = 0; t < kh * kw; t++)
          for (let o = 0; o < outChannels; o++) weights[o * kh * kw + t] = node.weights[t * outChannels + o]!;
        nodes.push({
          ...base,
          weights: f32(`${node.name}/weights`, weights, [outChannels, kh, kw, 1]),
          ...(node.bias ? { bias: f32(`${node.name}/bias`, node.bias) } : {}),
          kernel: [kh, kw],
          stride: node.stride,
          dilation: node.dilation,
          padding: node.padding,
        });
        break;
      }
      case "dense": {
        // Appendix C's dense reads a rank-1 value; TFLite's FULLY_CONNECTED flattens implicitly.
        const input = graph.values.get(node.inputs[0]!)!;
        const flat = input.shape.length === 1 ? input.name : `${node.name}/flatten`;
        if (flat !== input.name) nodes.push({ op: "flatten", name: flat, inputs: [input.name] });
        nodes.push({
          ...base,
          inputs: [flat],
          weights: f32(`${node.name}/weights`, node.weights, node.weightsShape),
          ...(node.bias ? { bias: f32(`${node.name}/bias`, node.bias) } : {}),
        });
        break;
      }
      case "mul":
        nodes.push({ ...base, scale: f32(`${node.name}/scale`, node.scale) });
        break;
      case "batchNorm":
        affine(node.name, node.inputs[0]!, node.scale, node.offset);
        break;
      case "relu":
        if (node.min !== 0 || node.max !== Number.POSITIVE_INFINITY)
          throw unsupported(
            node,
            `a clamp to [${node.min}, ${node.max}] (RELU6, RELU_N1_TO_1) has no .onebit v2 op`,
          );
        nodes.push(base);
        break;
      case "prelu":
        nodes.push({ ...base, alpha: f32(`${node.name}/alpha`, node.alpha) });
        break;
      case "maxPool2d":
      case "avgPool2d":
        nodes.push({ ...base, kernel: node.kernel, stride: node.stride, padding: node.padding });
        break;
      case "pad":
        nodes.push({ ...base, pads: node.pads });
        break;
      case "reshape":
        if (node.shape.length !== 1 && node.shape.length !== 3)
          throw unsupported(
            node,
            `a reshape to rank ${node.shape.length} ([${node.shape}]); .onebit v2 values have rank 1 or 3`,
          );
        nodes.push({ ...base, shape: node.shape });
        break;
      case "softmax":
        if (node.beta !== 1) throw unsupported(node, `softmax with beta ${node.beta} has no .onebit v2 form`);
        nodes.push(base);
        break;
      case "quantize":
      case "dequantize":
      case "add":
      case "concat":
      case "globalAvgPool":
        nodes.push(base);
        break;
    }
  }
  return {
    graph: {
      inputs: graph.inputs.map((input) => ({
        name: input.name,
        dtype: "float32" as const,
        shape: input.shape,
      })),
      outputs: graph.outputs,
      // Built field by field for each op above; writeGraphModel and checkGraphModel check them again.
      nodes: nodes as unknown as GraphNodeV2[],
    },
    tensors,
    metadata: {
      name: options.name ?? "lce-model",
      description: `Larq Compute Engine model${options.source ? ` ${options.source}` : ""}, imported by @onebit/lce`,
      ...(options.labels ? { labels: options.labels } : {}),
      provenance: { libraryVersion: "@onebit/lce" },
      extra: {
        ...(options.source ? { source: options.source } : {}),
        ...(options.preprocessing ? flatScalars("preprocessing", options.preprocessing) : {}),
      },
    },
  };
}

/** Metadata `extra` holds JSON scalars: nested values become dotted keys, arrays comma-separated text. */
function flatScalars(
  prefix: string,
  value: Readonly<Record<string, unknown>>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[`${prefix}.${key}`] = v;
    else if (Array.isArray(v)) out[`${prefix}.${key}`] = v.join(",");
    else if (v && typeof v === "object")
      Object.assign(out, flatScalars(`${prefix}.${key}`, v as Record<string, unknown>));
  }
  return out;
}

function unsupported(node: GraphNode, why: string): LceError {
  return new LceError(
    "UNSUPPORTED_MODEL",
    `graph node "${node.name}" (from operator ${node.source}): ${why}`,
  );
}

function writeBconv2d(
  node: Bconv2dNode,
  nodes: Record<string, unknown>[],
  tensor: (name: string, value: Tensor) => string,
  f32: (name: string, data: Float32Array, shape?: readonly number[]) => string,
  affine: (name: string, input: string, scale: Float32Array, offset: Float32Array) => void,
): void {
  const [outChannels, kh, kw, perGroup] = node.weightsShape;
  const weights: BitTensor = packBitTensor(node.weights, node.weightsShape);
  const common = {
    op: "bconv2d",
    inputs: node.inputs,
    weights: tensor(`${node.name}/weights`, weights),
    kernel: [kh, kw],
    stride: node.stride,
    dilation: node.dilation,
    groups: node.groups,
    padding: node.padding,
    padValue: node.padValue,
  };
  const out = node.output;
  if (out.kind === "bits") {
    const thresholds = tensor(`${node.name}/thresholds`, {
      dtype: "int32",
      shape: [outChannels],
      data: out.thresholds,
    });
    nodes.push({ ...common, name: node.name, output: { kind: "bits", thresholds } });
    return;
  }
  const K = kh * kw * perGroup;
  const clamped = out.clamp[0] > -K || out.clamp[1] < K;
  if (!clamped) {
    nodes.push({
      ...common,
      name: node.name,
      output: {
        kind: "float32",
        multiplier: f32(`${node.name}/multiplier`, out.multiplier),
        bias: f32(`${node.name}/bias`, out.bias),
      },
    });
    return;
  }
  // With multiplier 1 and bias 0, appendix C's clamp (after the transform) clamps the dot itself.
  const z = `${node.name}/z`;
  nodes.push({
    ...common,
    name: z,
    output: {
      kind: "float32",
      multiplier: f32(`${z}/multiplier`, new Float32Array(outChannels).fill(1)),
      bias: f32(`${z}/bias`, new Float32Array(outChannels)),
      clamp: out.clamp,
    },
  });
  affine(node.name, z, out.multiplier, out.bias);
}
