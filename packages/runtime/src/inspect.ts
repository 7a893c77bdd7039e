import {
  type GraphModel,
  type GraphNode,
  type GraphNodeV2,
  type ModelCost,
  type ModelMetadata,
  type OnebitModel,
  type Tensor,
  type ValueInfoV2,
  nodeTensorRefs,
  opDef,
} from "@onebit/format";
import { type LoadedModel, loadModel } from "./model-source.js";

/** One graph node as `onebit inspect` shows it. */
export interface NodeSummary {
  readonly index: number;
  readonly name: string;
  /** The op (version 1 names for version 1 files, as stored). */
  readonly op: string;
  /** Kernel, stride, padding, output form… in a few words. */
  readonly details: string;
  readonly outputKind: ValueInfoV2["kind"];
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

function toLoaded(source: Uint8Array | OnebitModel | GraphModel | LoadedModel): LoadedModel {
  return "graphValues" in source ? source : loadModel(source as Uint8Array | OnebitModel | GraphModel);
}

/** Attributes of a version 2 node in a few words (windows, groups, output form). */
function graphDetails(node: GraphNodeV2): string {
  const n = node as unknown as Readonly<Record<string, unknown>>;
  const parts: string[] = [];
  const pair = (key: string) => (n[key] as readonly number[]).join("×");
  if (Array.isArray(n["kernel"])) {
    parts.push(pair("kernel"));
    if (Array.isArray(n["stride"]) && (n["stride"] as number[]).some((d) => d !== 1))
      parts.push(`stride ${pair("stride")}`);
    if (Array.isArray(n["dilation"]) && (n["dilation"] as number[]).some((d) => d !== 1))
      parts.push(`dilation ${pair("dilation")}`);
    if (typeof n["padding"] === "string") parts.push(n["padding"] as string);
  }
  if (typeof n["groups"] === "number" && n["groups"] !== 1) parts.push(`groups ${n["groups"]}`);
  const o = n["output"] as { kind?: string } | undefined;
  if (o?.kind)
    parts.push(o.kind === "bits" ? "→ sign (thresholds)" : o.kind === "float32" ? "→ m·z + b" : "→ int32");
  if (node.inputs.length > 1) parts.push(`inputs ${node.inputs.join(", ")}`);
  return parts.join(", ");
}

/** `describeModel` of a version 2 graph: its inputs, then every node. */
function describeGraph(loaded: LoadedModel): ModelSummary {
  const { graph, graphValues, cost } = loaded;
  const params = (refs: readonly string[]) => {
    let binaryParams = 0;
    let otherParams = 0;
    let bytes = 0;
    for (const ref of new Set(refs)) {
      const t = graph.tensors.get(ref)!;
      if (t.dtype === "bit") binaryParams += elements(t);
      else otherParams += elements(t);
      bytes += tensorBytes(t);
    }
    return { binaryParams, otherParams, bytes };
  };
  const inputs: NodeSummary[] = graph.graph.inputs.map((input, i) => ({
    index: i,
    name: input.name,
    op: "input",
    details: input.dtype,
    outputKind: input.dtype,
    outputShape: [...input.shape],
    binaryParams: 0,
    otherParams: 0,
    bytes: 0,
    binaryMacs: 0,
    floatMacs: 0,
    comparisons: 0,
  }));
  const nodes: NodeSummary[] = graph.graph.nodes.map((node, i) => {
    const out = graphValues.get(node.name)!;
    const c = cost.nodes[i]!;
    return {
      index: inputs.length + i,
      name: node.name,
      op: node.op,
      details: graphDetails(node),
      outputKind: out.kind,
      outputShape: [...out.shape],
      ...params(opDef(node.op)!.tensors(node as never)),
      binaryMacs: c.binaryMacs + c.int8Macs,
      floatMacs: c.floatMacs,
      comparisons: c.comparisons,
    };
  });
  return summary(loaded, [...inputs, ...nodes]);
}

function summary(loaded: LoadedModel, nodes: NodeSummary[]): ModelSummary {
  const sum = (f: (n: NodeSummary) => number) => nodes.reduce((s, n) => s + f(n), 0);
  return {
    metadata: loaded.metadata,
    cost: loaded.cost,
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

/** Per-node and total sizes, parameter counts and MACs of a model (validated first). */
export function describeModel(source: Uint8Array | OnebitModel | GraphModel | LoadedModel): ModelSummary {
  const loaded = toLoaded(source);
  const { model, values, cost } = loaded;
  if (!model || !values) return describeGraph(loaded);
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
  return summary(loaded, nodes);
}
