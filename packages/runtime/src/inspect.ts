import {
  type GraphModel,
  type ModelSummary,
  type OnebitModel,
  graphCost,
  summarizeGraph,
} from "@onebit/format";
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
