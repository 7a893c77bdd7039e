import { LceError } from "./errors.js";
import type { BatchNormNode, MulNode, GraphNode, LceGraph } from "./graph.js";
import { ImportContext } from "./import-context.js";
import type { ImportLimits } from "./limits.js";
import { OP_IMPORTERS } from "./ops/index.js";
import { readTflite, type TfliteModel } from "./read-tflite.js";

/**
 * Turns a TFLite model (bytes or the result of {@link readTflite}) into the importer's graph. Every
 * operator must be one of {@link OP_IMPORTERS}; anything else is `UNSUPPORTED_MODEL` naming the operator,
 * its index and its inputs.
 */
export function importLceModel(source: Uint8Array | TfliteModel, limits?: Partial<ImportLimits>): LceGraph {
  const model = source instanceof Uint8Array ? readTflite(source, limits) : source;
  if (model.inputs.length !== 1)
    throw new LceError("UNSUPPORTED_MODEL", `the model has ${model.inputs.length} inputs; 1 is supported`);
  const ctx = new ImportContext(model);
  for (const index of model.inputs) ctx.defineInput(model.tensors[index]!);
  for (const op of model.operators) {
    const importer = Object.hasOwn(OP_IMPORTERS, op.name) ? OP_IMPORTERS[op.name] : undefined;
    if (!importer) throw ctx.unsupported(op, `operator ${op.name} is not supported`);
    importer(ctx, op);
  }
  return foldBatchNorm(ctx.finish(model.outputs));
}

/** mul followed by a scale-1 batchNorm that is its only consumer → one batchNorm (x·s + o). */
function foldBatchNorm(graph: LceGraph): LceGraph {
  const consumers = new Map<string, number>();
  for (const node of graph.nodes)
    for (const input of node.inputs) consumers.set(input, (consumers.get(input) ?? 0) + 1);
  const producer = new Map(graph.nodes.map((node) => [node.name, node]));
  const dropped = new Set<string>();
  const notes = [...graph.notes];
  const nodes: GraphNode[] = [];
  for (const node of graph.nodes) {
    const prior = node.op === "batchNorm" ? producer.get(node.inputs[0]!) : undefined;
    if (
      node.op === "batchNorm" &&
      prior?.op === "mul" &&
      consumers.get(prior.name) === 1 &&
      !graph.outputs.includes(prior.name) &&
      node.scale.every((s) => s === 1)
    ) {
      const mul = prior as MulNode;
      dropped.add(mul.name);
      nodes.push({ ...(node as BatchNormNode), inputs: mul.inputs, scale: mul.scale });
      notes.push(`operators ${mul.source}, ${node.source} (MUL, ADD) → batchNorm`);
      continue;
    }
    nodes.push(node);
  }
  const values = new Map(graph.values);
  for (const name of dropped) values.delete(name);
  return { ...graph, nodes: nodes.filter((n) => !dropped.has(n.name)), values, notes };
}
