import type { GraphNode, OpName, ValueInfo, ValueKind } from "./graph.js";
import { DTYPE_BYTES, type TensorInfo } from "./tensor-table.js";
import { windowAxis } from "./window.js";

/**
 * What one sample costs to run, counted from the graph alone (SPEC.md §5.7). Runtimes compare it
 * with their limits before they allocate or run anything: a 300-byte file can declare a max-pool
 * whose window is 65 535 × 65 535, so the work a file asks for has to be counted, not assumed.
 */
export interface ModelCost {
  /** Multiply-accumulates of ±1 inputs by ±1 weights (XNOR-popcount). */
  readonly binaryMacs: number;
  /** Multiply-accumulates of 8-bit inputs by ±1 weights (bit-plane layers). */
  readonly int8Macs: number;
  /** Float32 multiply-accumulates. */
  readonly floatMacs: number;
  /** Element reads of pooling windows, threshold comparisons, softmax and conversion work. */
  readonly comparisons: number;
  /** Bytes of the largest input + output pair of one node (logical sizes: bits count 1/8 byte). */
  readonly peakActivationBytes: number;
  /** Bytes of all values of the graph, one sample, if none were reused. */
  readonly totalActivationBytes: number;
  /** Bytes of the tensors the graph refers to, as stored in the file. */
  readonly weightBytes: number;
  /** Per node, `nodes[i]` for `graph.nodes[i]`. */
  readonly nodes: readonly NodeCost[];
}

export interface NodeCost {
  readonly binaryMacs: number;
  readonly int8Macs: number;
  readonly floatMacs: number;
  readonly comparisons: number;
  /** Bytes of the node's tensors. */
  readonly weightBytes: number;
}

type Lookup = (name: string) => TensorInfo | undefined;
type Work = Partial<Omit<NodeCost, "weightBytes">>;
type OpCost<N extends GraphNode = GraphNode> = (node: N, input: ValueInfo, output: ValueInfo) => Work;

const elements = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Input positions summed over every window of one axis (padding excluded): exact, O(out). */
function windowReads(inSize: number, kernel: number, stride: number, padding: "same" | "valid"): number {
  const a = windowAxis(inSize, kernel, stride, padding);
  let sum = 0;
  for (let o = 0; o < a.out; o++) {
    const start = o * stride - a.padBefore;
    sum += Math.min(start + kernel, inSize) - Math.max(start, 0);
  }
  return sum;
}

/** Threshold comparisons of a layer whose output is bits (one per output element). */
function outputCompares(node: { output: { kind: string } }, output: ValueInfo): number {
  return node.output.kind === "bits" ? elements(output.shape) : 0;
}

function convMacs(node: { kernel: readonly [number, number] }, input: ValueInfo, output: ValueInfo): number {
  return elements(output.shape) * node.kernel[0] * node.kernel[1] * input.shape[2]!;
}

/** The cost of one node of each op (one entry per op: adding an op adds a line here). */
const OP_COSTS: { readonly [K in OpName]: OpCost<Extract<GraphNode, { op: K }>> } = {
  input: (_n, _i, out) => ({ comparisons: elements(out.shape) }),
  denseFloat: (n, i, out) => ({
    floatMacs: elements(i.shape) * elements(out.shape),
    comparisons: outputCompares(n, out),
  }),
  conv2dFloat: (n, i, out) => ({ floatMacs: convMacs(n, i, out), comparisons: outputCompares(n, out) }),
  denseBitPlane: (n, i, out) => ({
    int8Macs: elements(i.shape) * elements(out.shape),
    comparisons: outputCompares(n, out),
  }),
  conv2dBitPlane: (n, i, out) => ({ int8Macs: convMacs(n, i, out), comparisons: outputCompares(n, out) }),
  binaryDense: (n, i, out) => ({
    binaryMacs: elements(i.shape) * elements(out.shape),
    comparisons: outputCompares(n, out),
  }),
  binaryConv2d: (n, i, out) => ({ binaryMacs: convMacs(n, i, out), comparisons: outputCompares(n, out) }),
  maxPool2d: (n, i) => {
    const [h, w, c] = i.shape as [number, number, number];
    const rows = windowReads(h, n.kernel[0], n.stride[0], n.padding);
    const cols = windowReads(w, n.kernel[1], n.stride[1], n.padding);
    return { comparisons: rows * cols * c };
  },
  flatten: () => ({}),
  softmax: (_n, i) => ({ comparisons: 3 * elements(i.shape) }),
  argmax: (_n, i) => ({ comparisons: elements(i.shape) }),
};

/** Names of the tensors a node refers to (weights, bias, masks, output transforms). */
export function nodeTensorRefs(node: GraphNode): string[] {
  const out: string[] = [];
  const n = node as unknown as Readonly<Record<string, unknown>>;
  for (const key of ["weights", "bias", "minMask"])
    if (typeof n[key] === "string") out.push(n[key] as string);
  const o = n["output"] as Readonly<Record<string, unknown>> | undefined;
  if (o)
    for (const key of ["thresholds", "flip", "scale", "bias"])
      if (typeof o[key] === "string") out.push(o[key] as string);
  return out;
}

/** Bytes a tensor takes in a file (a bit tensor: its packed words, without row padding beyond one word). */
export function tensorInfoBytes(t: TensorInfo): number {
  if (t.dtype !== "bit") return elements(t.shape) * DTYPE_BYTES[t.dtype];
  const cols = t.shape[t.shape.length - 1] ?? 1;
  return 4 * Math.ceil(cols / 32) * (elements(t.shape) / Math.max(cols, 1));
}

const VALUE_BYTES: Readonly<Record<ValueKind, number>> = { float32: 4, uint8: 1, bits: 1 / 8, index: 4 };

/** Bytes one sample of a value takes (bits rounded up to whole bytes). */
export function valueBytes(v: ValueInfo): number {
  return Math.ceil(elements(v.shape) * VALUE_BYTES[v.kind]);
}

/** A node's cost: its op's work (missing counts are 0) and the bytes of the distinct tensors it names. */
export function nodeCost(work: Work, tensorRefs: Iterable<string>, lookup: Lookup): NodeCost {
  let weightBytes = 0;
  for (const ref of new Set(tensorRefs)) {
    const t = lookup(ref);
    if (t) weightBytes += tensorInfoBytes(t);
  }
  return {
    binaryMacs: work.binaryMacs ?? 0,
    int8Macs: work.int8Macs ?? 0,
    floatMacs: work.floatMacs ?? 0,
    comparisons: work.comparisons ?? 0,
    weightBytes,
  };
}

/** The cost of a checked graph (`values` from `inferValueInfos`, tensors looked up by name). */
export function modelCost(
  graph: { readonly nodes: readonly GraphNode[] },
  values: readonly ValueInfo[],
  lookup: Lookup,
): ModelCost {
  const nodes: NodeCost[] = graph.nodes.map((node, i) => {
    const out = values[i]!;
    const cost = OP_COSTS[node.op] as OpCost;
    const work = cost(node, i > 0 ? values[i - 1]! : out, out);
    return nodeCost(work, nodeTensorRefs(node), lookup);
  });
  const sum = (f: (c: NodeCost) => number) => nodes.reduce((s, c) => s + f(c), 0);
  let peak = 0;
  let total = 0;
  values.forEach((v, i) => {
    const bytes = valueBytes(v);
    total += bytes;
    peak = Math.max(peak, bytes + (i > 0 ? valueBytes(values[i - 1]!) : 0));
  });
  return {
    binaryMacs: sum((c) => c.binaryMacs),
    int8Macs: sum((c) => c.int8Macs),
    floatMacs: sum((c) => c.floatMacs),
    comparisons: sum((c) => c.comparisons),
    peakActivationBytes: peak,
    totalActivationBytes: total,
    weightBytes: sum((c) => c.weightBytes),
    nodes,
  };
}
