import { GRAPH_FORMAT_VERSION } from "./container.js";
import type { ModelCost } from "./cost.js";
import { chainToGraph } from "./chain-to-graph.js";
import type { ModelMetadata } from "./graph.js";
import { graphCost } from "./graph-cost.js";
import {
  type GraphModel,
  type GraphV2,
  graphTensorRefs,
  inferGraphValues,
  parseGraphV2,
} from "./graph-v2.js";
import { asObject, fail, own } from "./json-check.js";
import { parseMetadata } from "./metadata.js";
import { checkModel, checkModelTensors } from "./model-check.js";
import type { ValueInfoV2 } from "./ops/op.js";
import {
  type ReadOptions,
  checkReadOptions,
  readContainer,
  readModel,
  readModelInfo,
  readTensors,
} from "./read.js";
import type { TensorEntry } from "./tensor-table.js";
import type { FormatVersion, OnebitModel, Tensor } from "./tensor.js";
import { writeContainer } from "./write.js";

/** A version 2 model after every check, with the kind and shape of every value and its cost. */
export interface CheckedGraphModel {
  readonly model: GraphModel;
  readonly values: ReadonlyMap<string, ValueInfoV2>;
  readonly cost: ModelCost;
}

/**
 * A version 1 model (a chain) as a version 2 graph (SPEC.md C.6), validated first; tensors and
 * metadata are shared. The graph computes the same function.
 */
export function toGraphModel(model: OnebitModel): GraphModel {
  const { model: m } = checkModel(model);
  return { graph: chainToGraph(m.graph), tensors: m.tensors, metadata: m.metadata };
}

/** Number of classes of a graph's first output (a float32 vector, or argmax's input), for the labels check. */
function classCount(graph: GraphV2, values: ReadonlyMap<string, ValueInfoV2>): number | undefined {
  const name = graph.outputs[0]!;
  const node = graph.nodes.find((n) => n.name === name);
  const scores = node?.op === "argmax" ? values.get(node.inputs[0]!) : values.get(name);
  return scores && scores.kind === "float32" && scores.shape.length === 1 ? scores.shape[0] : undefined;
}

/** No NaN in any float32 tensor the graph refers to (±∞ only where an op's comparison allows it). */
function checkGraphTensorValues(graph: GraphV2, tensors: ReadonlyMap<string, Tensor>): void {
  for (const name of new Set(graphTensorRefs(graph))) {
    const t = tensors.get(name)!;
    if (t.dtype !== "float32") continue;
    const at = t.data.findIndex((v) => Number.isNaN(v));
    if (at >= 0) fail("BAD_TENSOR", `tensor ${JSON.stringify(name)}`, `element ${at} is NaN`);
  }
}

function checkParts(
  graphJson: unknown,
  tensors: ReadonlyMap<string, Tensor>,
  metadataJson: unknown,
): CheckedGraphModel {
  const graph = parseGraphV2(graphJson);
  const values = inferGraphValues(graph, (name) => tensors.get(name));
  checkGraphTensorValues(graph, tensors);
  const metadata = parseMetadata(metadataJson, classCount(graph, values));
  const cost = graphCost(graph, values, (name) => tensors.get(name));
  return { model: { graph, tensors, metadata }, values, cost };
}

/** Validates a whole in-memory version 2 model (what `writeGraphModel` does first). Throws FormatError. */
export function checkGraphModel(model: GraphModel): CheckedGraphModel {
  const m = asObject(model, "model", "INVALID_ARGUMENT");
  const tensors = checkModelTensors(m["tensors"]);
  return checkParts(m["graph"], tensors, m["metadata"]);
}

/**
 * Reads and fully validates a .onebit file of either major version as a graph: version 2 as it is,
 * version 1 converted (SPEC.md C.6). Options as `readModel`'s. Throws FormatError.
 */
export function readGraphModel(bytes: Uint8Array, options?: ReadOptions): GraphModel {
  const checked = checkReadOptions(options);
  const c = readContainer(bytes, checked, [1, GRAPH_FORMAT_VERSION.major]);
  if (c.version.major === 1) return toGraphModel(readModel(bytes, options));
  const tensors = readTensors(bytes, c.tensors, c.dataStart, checked.copy);
  return checkParts(own(c.top, "graph"), tensors, own(c.top, "metadata")).model;
}

/** Everything the header of a .onebit file of either version says, as a graph (tensor contents not read). */
export interface GraphFileInfo {
  readonly version: FormatVersion;
  readonly fileLength: number;
  readonly headerLength: number;
  readonly dataStart: number;
  readonly dataLength: number;
  readonly checksum: number;
  readonly graph: GraphV2;
  readonly tensors: readonly TensorEntry[];
  readonly metadata: ModelMetadata;
  /** Kind and shape of every value, by name. */
  readonly values: ReadonlyMap<string, ValueInfoV2>;
  /** What one sample costs (SPEC.md §5.7, C.5). */
  readonly cost: ModelCost;
}

/**
 * `readModelInfo` for files of either major version, as a graph (a version 1 chain converted,
 * SPEC.md C.6): container, tensor table, graph, metadata, value shapes and cost — what `onebit
 * inspect` shows — without reading tensor contents. Throws FormatError.
 */
export function readGraphModelInfo(bytes: Uint8Array, options?: ReadOptions): GraphFileInfo {
  const checked = checkReadOptions(options);
  const c = readContainer(bytes, checked, [1, GRAPH_FORMAT_VERSION.major]);
  const byName = new Map(c.tensors.map((t) => [t.name, t]));
  const lookup = (name: string) => byName.get(name);
  const v1 = c.version.major === 1 ? readModelInfo(bytes, options) : undefined;
  const graph = v1 ? chainToGraph(v1.graph) : parseGraphV2(own(c.top, "graph"));
  const values = inferGraphValues(graph, lookup);
  const metadata = v1 ? v1.metadata : parseMetadata(own(c.top, "metadata"), classCount(graph, values));
  const { top: _top, ...container } = c;
  return { ...container, graph, metadata, values, cost: graphCost(graph, values, lookup) };
}

/** Validates a version 2 model and serializes it (major version 2, SPEC.md §7's canonical form). */
export function writeGraphModel(model: GraphModel): Uint8Array {
  const { model: m } = checkGraphModel(model);
  return writeContainer(GRAPH_FORMAT_VERSION, m.graph, m.tensors, m.metadata);
}
