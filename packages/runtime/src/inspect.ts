import {
  type GraphNode,
  type ModelCost,
  type ModelMetadata,
  type OnebitModel,
  type Tensor,
  type ValueInfo,
  nodeTensorRefs,
} from "@onebit/format";
import { type LoadedModel, loadModel } from "./model-source.js";

/** One graph node as `onebit inspect` shows it. */
export interface NodeSummary {
  readonly index: number;
  readonly name: string;
  readonly op: GraphNode["op"];
  /** Kernel, stride, padding, output form… in a few words. */
  readonly details: string;
  readonly outputKind: ValueInfo["kind"];
  readonly outputShape: readonly number[];
  /** ±1 parameters (bit tensors). */
  readonly binaryParams: number;
  /** 32-bit (float32/int32) and 8-bit parameters. */
  readonly otherParams: number;
  /** Bytes its tensors take in the file. */
  readonly bytes: number;
  /** Multiply-accumulates per sample with 1-bit weights (XNOR-popcount, or bit-plane for 8-bit inputs). */
  readonly binaryMacs: number;
  /** Float multiply-accumulates per sample. */
  readonly floatMacs: number;
  /** Pooling-window reads, threshold comparisons and other element work per sample. */
  readonly comparisons: number;
}

export interface ModelSummary {
  readonly metadata: ModelMetadata;
  /** The model's cost per sample, as `@onebit/format` counts it (see `describeCost` for the limits). */
  readonly cost: ModelCost;
  readonly nodes: readonly NodeSummary[];
  readonly totals: {
    readonly binaryParams: number;
    readonly otherParams: number;
    /** Bytes of all tensors in the file. */
    readonly bytes: number;
    /** Bytes the same parameters would take as float32. */
    readonly float32Bytes: number;
    readonly binaryMacs: number;
    readonly floatMacs: number;
  };
}

function tensorBytes(t: Tensor): number {
  return t.dtype === "bit" ? 4 * t.layout.rows * t.layout.wordsPerRow : t.data.byteLength;
}

function elements(t: Tensor): number {
  return t.shape.reduce((p, d) => p * d, 1);
}

function details(node: GraphNode): string {
  const parts: string[] = [];
  if ("kernel" in node) {
    parts.push(`${node.kernel[0]}×${node.kernel[1]}`);
    if (node.stride[0] !== 1 || node.stride[1] !== 1)
      parts.push(`stride ${node.stride[0]}×${node.stride[1]}`);
    parts.push(node.padding);
  }
  if ("output" in node) {
    const o = node.output;
    parts.push(
      o.kind === "bits" ? "→ sign (thresholds)" : o.kind === "scaleBias" ? "→ scale·z + bias" : "→ float",
    );
  }
  if (node.op === "input") {
    parts.push(node.dtype);
    if (node.normalization) parts.push(`x·${node.normalization.scale} + ${node.normalization.offset}`);
  }
  if (node.op === "maxPool2d" && node.minMask !== undefined) parts.push("minMask");
  return parts.join(", ");
}

function toLoaded(source: Uint8Array | OnebitModel | LoadedModel): LoadedModel {
  return "values" in source && "model" in source && "cost" in source
    ? source
    : loadModel(source as Uint8Array | OnebitModel);
}

/** Per-node and total sizes, parameter counts and MACs of a model (validated first). */
export function describeModel(source: Uint8Array | OnebitModel | LoadedModel): ModelSummary {
  const { model, values, cost } = toLoaded(source);
  const nodes: NodeSummary[] = model.graph.nodes.map((node, i) => {
    let binaryParams = 0;
    let otherParams = 0;
    let bytes = 0;
    for (const ref of new Set(nodeTensorRefs(node))) {
      const t = model.tensors.get(ref)!;
      if (t.dtype === "bit") binaryParams += elements(t);
      else otherParams += elements(t);
      bytes += tensorBytes(t);
    }
    const out = values[i]!;
    const c = cost.nodes[i]!;
    return {
      index: i,
      name: node.name,
      op: node.op,
      details: details(node),
      outputKind: out.kind,
      outputShape: [...out.shape],
      binaryParams,
      otherParams,
      bytes,
      binaryMacs: c.binaryMacs + c.int8Macs,
      floatMacs: c.floatMacs,
      comparisons: c.comparisons,
    };
  });
  const sum = (f: (n: NodeSummary) => number) => nodes.reduce((s, n) => s + f(n), 0);
  return {
    metadata: model.metadata,
    cost,
    nodes,
    totals: {
      binaryParams: sum((n) => n.binaryParams),
      otherParams: sum((n) => n.otherParams),
      bytes: sum((n) => n.bytes),
      float32Bytes: 4 * sum((n) => n.binaryParams + n.otherParams),
      binaryMacs: sum((n) => n.binaryMacs),
      floatMacs: sum((n) => n.floatMacs),
    },
  };
}
