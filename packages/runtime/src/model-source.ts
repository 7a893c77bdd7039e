import {
  FormatError,
  type ModelCost,
  type OnebitModel,
  type ValueInfo,
  checkModel,
  inferValueInfos,
  modelCost,
  readModel,
} from "@onebit/format";
import { RuntimeError } from "./errors.js";

/** A model the engine can run: the validated graph, its tensors and metadata, every node's value info. */
export interface LoadedModel {
  readonly model: OnebitModel;
  readonly values: readonly ValueInfo[];
  /** What one sample costs (MACs by precision, comparisons, activation and weight bytes). */
  readonly cost: ModelCost;
}

function fromFormatError(error: unknown, where: string): never {
  if (error instanceof FormatError) {
    const code = error.code === "UNSUPPORTED_VERSION" ? "UNSUPPORTED_MODEL" : "INVALID_MODEL";
    throw new RuntimeError(code, `${where}: ${error.message} [${error.code}]`, { cause: error });
  }
  throw error;
}

/**
 * Validates a model from .onebit bytes (`readModel`: magic, version, checksum, header, tensors, graph)
 * or an in-memory `OnebitModel` (`checkModel`). Format errors become RuntimeError "INVALID_MODEL"
 * (or "UNSUPPORTED_MODEL" for an unknown major version).
 */
export function loadModel(source: Uint8Array | OnebitModel): LoadedModel {
  if (source instanceof Uint8Array) {
    let model: OnebitModel;
    try {
      model = readModel(source);
    } catch (error) {
      fromFormatError(error, "model bytes");
    }
    let values: ValueInfo[];
    try {
      values = inferValueInfos(model.graph, (name) => model.tensors.get(name));
    } catch (error) {
      fromFormatError(error, "model graph");
    }
    return { model, values, cost: modelCost(model.graph, values, (name) => model.tensors.get(name)) };
  }
  // Other binary containers would otherwise be checked as an OnebitModel and fail on a missing field.
  const binary = source instanceof ArrayBuffer || ArrayBuffer.isView(source);
  if (typeof source !== "object" || source === null || binary) {
    const got = source === null ? "null" : binary ? source.constructor.name : typeof source;
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `a model is .onebit bytes (Uint8Array) or an OnebitModel object, got ${got}` +
        (binary ? ": view the bytes as a Uint8Array (new Uint8Array(buffer))" : ""),
    );
  }
  try {
    const checked = checkModel(source);
    return { model: checked.model, values: checked.values, cost: checked.cost };
  } catch (error) {
    fromFormatError(error, "model");
  }
}
