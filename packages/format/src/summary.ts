import { type ModelCost, tensorInfoBytes } from "./cost.js";
import type { ModelMetadata } from "./graph.js";
import type { GraphV2 } from "./graph-v2.js";
import type { ValueInfoV2 } from "./ops/op.js";
import { opDef } from "./ops/table.js";
import type { TensorInfo } from "./tensor-table.js";

/**
 * The one description of a model: what `onebit inspect`, `describeGraphFile` and runtime's
 * `describeModel` show. Version 1 files are described as the graph they load as.
 */

/** One graph input or node. */
export interface NodeSummary {
  readonly index: number;
  readonly name: string;
  /** The op, or "input" for a graph input. */
  readonly op: string;
  /** The values it reads. */
  readonly inputs: readonly string[];
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
  /** The model's cost per sample (`describeCost` prints it). */
  readonly cost: ModelCost;
  /** The graph's inputs, then its nodes in the file's order. */
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

/** What a summary is made from: a checked graph (`readGraphModelInfo`, or a loaded model). */
export interface SummarySource {
  readonly graph: GraphV2;
  /** Kind and shape of every value, by name. */
  readonly values: ReadonlyMap<string, ValueInfoV2>;
  readonly cost: ModelCost;
  readonly metadata: ModelMetadata;
  /** Dtype and shape of every tensor, by name. */
  readonly tensors: ReadonlyMap<string, TensorInfo> | readonly (TensorInfo & { readonly name: string })[];
}

/** A node's attributes in a few words: windows, groups, padding, output form. */
export function nodeDetails(node: { readonly op: string } & Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const pair = (k: string) => (node[k] as readonly number[]).join("×");
  if (Array.isArray(node["kernel"])) {
    parts.push(`kernel=${pair("kernel")} stride=${pair("stride")}`);
    if (Array.isArray(node["dilation"]) && (node["dilation"] as number[]).some((d) => d !== 1))
      parts.push(`dilation=${pair("dilation")}`);
    parts.push(String(node["padding"]));
  }
  if (typeof node["groups"] === "number" && node["groups"] !== 1) parts.push(`groups=${node["groups"]}`);
  if (node["padValue"] !== undefined && node.op !== "conv2d" && node.op !== "depthwiseConv2d")
    parts.push(`padValue=${node["padValue"]}`);
  const o = node["output"] as { kind?: string; clamp?: number[] } | undefined;
  if (o?.kind)
    parts.push(
      o.kind === "bits"
        ? "→ bits (thresholds)"
        : o.kind === "int32"
          ? "→ int32"
          : `→ float32 (m·z + b${o.clamp ? `, clamp ${o.clamp.join("…")}` : ""})`,
    );
  return parts.join(" ");
}

function tensorLookup(tensors: SummarySource["tensors"]): ReadonlyMap<string, TensorInfo> {
  return "get" in tensors ? tensors : new Map(tensors.map((t) => [t.name, t]));
}

/** Per-node and total parameters, bytes and MACs of a checked graph. */
export function summarizeGraph(source: SummarySource): ModelSummary {
  const { graph, values, cost } = source;
  const tensors = tensorLookup(source.tensors);
  const inputs: NodeSummary[] = graph.inputs.map((input, index) => ({
    index,
    name: input.name,
    op: "input",
    inputs: [],
    details: input.normalization
      ? `${input.dtype}, x·${input.normalization.scale} + ${input.normalization.offset}`
      : input.dtype,
    outputKind: input.dtype,
    outputShape: [...input.shape],
    binaryParams: 0,
    otherParams: 0,
    bytes: 0,
    binaryMacs: 0,
    floatMacs: 0,
    comparisons: 0,
  }));
  const nodes: NodeSummary[] = graph.nodes.map((node, i) => {
    let binaryParams = 0;
    let otherParams = 0;
    let bytes = 0;
    for (const ref of new Set(opDef(node.op)!.tensors(node as never))) {
      const t = tensors.get(ref);
      if (!t) continue;
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (t.dtype === "bit") binaryParams += n;
      else otherParams += n;
      bytes += tensorInfoBytes(t);
    }
    const out = values.get(node.name)!;
    const c = cost.nodes[i]!;
    return {
      index: inputs.length + i,
      name: node.name,
      op: node.op,
      inputs: [...node.inputs],
      details: nodeDetails(node as never),
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
  const all = [...inputs, ...nodes];
  const sum = (f: (n: NodeSummary) => number) => all.reduce((s, n) => s + f(n), 0);
  return {
    metadata: source.metadata,
    cost,
    nodes: all,
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
