import { checkGraphModel, graphCost, readGraphModel, summarizeGraph } from "@onebit/format";
import { findElementwiseChains, fuseChains } from "./elementwise-fusion.js";
import { lowerBConvGeneric } from "./ops/bconv-generic.js";
import { lowerClamp } from "./ops/clamp.js";
import { lowerFloatConvGeneric } from "./ops/conv2d-generic.js";
import { GRAPH_LOWERINGS } from "./ops/graph-table.js";

// The planning half of the graph code (see graph-support.ts): the lowering of the ops a version 1
// chain never has (ops/graph-table.ts) and of the graph-only forms of the ops it has, and elementwise
// fusion. A module of its own so that workers, which run plans but never make them, leave it out.

export const GRAPH_PLANNING = {
  lowerings: GRAPH_LOWERINGS,
  lowerBConvGeneric,
  lowerFloatConvGeneric,
  lowerClamp,
  findElementwiseChains,
  fuseChains,
  // @onebit/format's version 2 reader and checker (loadModel's, for version 2 models) and the op
  // table's cost and summary (describeModel's).
  readGraphModel,
  checkGraphModel,
  graphCost,
  summarizeGraph,
};

export type GraphPlanning = typeof GRAPH_PLANNING;
