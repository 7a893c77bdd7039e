import type { ModelCost, NodeCost } from "./cost.js";
import { nodeCost } from "./cost.js";
import type { GraphV2 } from "./graph-v2.js";
import { type ValueInfoV2, elementsOf } from "./ops/op.js";
import { opDef } from "./ops/table.js";
import type { TensorInfo } from "./tensor-table.js";

const BYTES: Readonly<Record<ValueInfoV2["kind"], number>> = {
  float32: 4,
  int32: 4,
  uint8: 1,
  bits: 1 / 8,
  index: 4,
};

function bytesOf(v: ValueInfoV2): number {
  return Math.ceil(elementsOf(v.shape) * BYTES[v.kind]);
}

/**
 * A version 2 graph's cost per sample (SPEC.md C.5): each op's work from its module, and the peak
 * of the bytes alive at once when nodes run in file order (a value lives from its producer to its
 * last consumer; outputs to the end).
 */
export function graphCost(
  graph: GraphV2,
  values: ReadonlyMap<string, ValueInfoV2>,
  lookup: (name: string) => TensorInfo | undefined,
): ModelCost {
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const name of node.inputs) lastUse.set(name, i);
  });
  for (const name of graph.outputs) lastUse.set(name, graph.nodes.length);
  let live = 0;
  let peak = 0;
  let total = 0;
  for (const input of graph.inputs) live += bytesOf(values.get(input.name)!);
  peak = live;
  total = live;
  const nodes: NodeCost[] = graph.nodes.map((node, i) => {
    const def = opDef(node.op)!;
    const out = values.get(node.name)!;
    const work = def.cost(
      node as never,
      node.inputs.map((n) => values.get(n)!),
      out,
    );
    const size = bytesOf(out);
    live += size;
    total += size;
    peak = Math.max(peak, live);
    // Inputs whose last consumer this node is are dead after it.
    for (const name of new Set(node.inputs)) if (lastUse.get(name) === i) live -= bytesOf(values.get(name)!);
    return nodeCost(work, def.tensors(node as never), lookup);
  });
  const sum = (f: (c: NodeCost) => number) => nodes.reduce((s, c) => s + f(c), 0);
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
