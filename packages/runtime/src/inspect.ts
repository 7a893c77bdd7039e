import type { GraphModel, ModelSummary, OnebitModel } from "@onebit/format";
import { requireGraphSupport } from "./graph-loader.js";
import { type LoadedModel, loadModel } from "./model-source.js";

export type { ModelSummary, NodeSummary } from "@onebit/format";

function toLoaded(source: Uint8Array | OnebitModel | GraphModel | LoadedModel): LoadedModel {
  return "graphValues" in source ? source : loadModel(source as Uint8Array | OnebitModel | GraphModel);
}

/**
 * Per-node and total sizes, parameter counts and MACs of a model (validated first): @onebit/format's
 * `summarizeGraph` of the graph the runtime runs — a version 1 file is described as the graph it loads as.
 */
export function describeModel(source: Uint8Array | OnebitModel | GraphModel | LoadedModel): ModelSummary {
  const { graph, graphValues, cost, metadata, model } = toLoaded(source);
  // The op table's cost and summary: graph code, which browser builds load on demand.
  const { graphCost, summarizeGraph } = requireGraphSupport("describeModel");
  // A version 1 cost counts the chain's nodes; the graph may have more (a sign after a float layer).
  const nodeCost = model ? graphCost(graph.graph, graphValues, (name) => graph.tensors.get(name)) : cost;
  return summarizeGraph({
    graph: graph.graph,
    values: graphValues,
    cost: nodeCost,
    metadata,
    tensors: graph.tensors,
  });
}
