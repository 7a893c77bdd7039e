import type { GraphModel, ModelMetadata, OnebitModel, ValueInfo, ValueInfoV2 } from "@onebit/format";
// The version 1 subset: the version 2 reader and checker come with the graph code (graph-loader).
import {
  FormatError,
  type ModelCost,
  chainGraphValues,
  chainToGraph,
  checkModel,
  inferValueInfos,
  modelCost,
  readModel,
} from "@onebit/format/chain";
import { RuntimeError } from "./errors.js";
import { requireGraphSupport } from "./graph-loader.js";

/**
 * A model the engine can run: the validated graph (a version 1 chain read as its version 2 graph),
 * the kind and shape of every value, its cost and metadata; for a version 1 file also the chain
 * (`model`, `values`) as it is stored.
 */
export interface LoadedModel {
  readonly graph: GraphModel;
  readonly graphValues: ReadonlyMap<string, ValueInfoV2>;
  /** What one sample costs (MACs by precision, comparisons, activation and weight bytes). */
  readonly cost: ModelCost;
  readonly metadata: ModelMetadata;
  /** Version 1 models: the chain and every node's value info. */
  readonly model?: OnebitModel;
  readonly values?: readonly ValueInfo[];
}

function fromFormatError(error: unknown, where: string): never {
  if (error instanceof FormatError) {
    const code = error.code === "UNSUPPORTED_VERSION" ? "UNSUPPORTED_MODEL" : "INVALID_MODEL";
    throw new RuntimeError(code, `${where}: ${error.message} [${error.code}]`, { cause: error });
  }
  throw error;
}

function fromChain(model: OnebitModel, values: readonly ValueInfo[], cost: ModelCost): LoadedModel {
  // `model` is checked already: convert its chain without checking the tensors again.
  const graph: GraphModel = {
    graph: chainToGraph(model.graph),
    tensors: model.tensors,
    metadata: model.metadata,
  };
  const graphValues = chainGraphValues(model.graph, values);
  return { graph, graphValues, cost, metadata: model.metadata, model, values };
}

function fromGraph(graph: GraphModel): LoadedModel {
  const checked = requireGraphSupport("a version 2 model").checkGraphModel(graph);
  return {
    graph: checked.model,
    graphValues: checked.values,
    cost: checked.cost,
    metadata: checked.model.metadata,
  };
}

/** The major version a .onebit file declares (0 when it is too short to say). */
function majorVersion(bytes: Uint8Array): number {
  return bytes.length >= 10 ? bytes[8]! | (bytes[9]! << 8) : 0;
}

/** An in-memory version 2 model (a graph with inputs), as opposed to a version 1 `OnebitModel`. */
function isGraphModel(source: object): source is GraphModel {
  const graph = (source as { graph?: { inputs?: unknown } }).graph;
  return typeof graph === "object" && graph !== null && "inputs" in graph;
}

/**
 * Whether `source` is a version 2 model (bytes or object): one that needs the graph code, which
 * browser builds load on demand (`loadGraphSupport`).
 */
export function isGraphSource(source: unknown): boolean {
  if (source instanceof Uint8Array) return majorVersion(source) === 2;
  return typeof source === "object" && source !== null && isGraphModel(source);
}

/**
 * Validates a model from .onebit bytes (either major version) or an in-memory `OnebitModel` (a
 * version 1 chain) or `GraphModel` (version 2). Format errors become RuntimeError "INVALID_MODEL"
 * (or "UNSUPPORTED_MODEL" for an unknown major version).
 */
export function loadModel(source: Uint8Array | OnebitModel | GraphModel): LoadedModel {
  if (source instanceof Uint8Array) {
    if (majorVersion(source) === 2) {
      try {
        return fromGraph(requireGraphSupport("a version 2 model").readGraphModel(source));
      } catch (error) {
        fromFormatError(error, "model bytes");
      }
    }
    let model: OnebitModel;
    try {
      model = readModel(source);
    } catch (error) {
      fromFormatError(error, "model bytes");
    }
    try {
      const values = inferValueInfos(model.graph, (name) => model.tensors.get(name));
      return fromChain(
        model,
        values,
        modelCost(model.graph, values, (name) => model.tensors.get(name)),
      );
    } catch (error) {
      fromFormatError(error, "model graph");
    }
  }
  // Other binary containers would otherwise be checked as an OnebitModel and fail on a missing field.
  const binary = source instanceof ArrayBuffer || ArrayBuffer.isView(source);
  if (typeof source !== "object" || source === null || binary) {
    const got = source === null ? "null" : binary ? source.constructor.name : typeof source;
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `a model is .onebit bytes (Uint8Array), an OnebitModel or a GraphModel object, got ${got}` +
        (binary ? ": view the bytes as a Uint8Array (new Uint8Array(buffer))" : ""),
    );
  }
  try {
    if (isGraphModel(source)) return fromGraph(source);
    const checked = checkModel(source as OnebitModel);
    return fromChain(checked.model, checked.values, checked.cost);
  } catch (error) {
    fromFormatError(error, "model");
  }
}
