import { Rng } from "@onebit/tensor";
import { checkpointContents, decodeCheckpoint, parseCheckpoint } from "./checkpoint.js";
import { NnError } from "./errors.js";
import type { Model } from "./model-base.js";
import type { Optimizer } from "./optimizers/optimizer.js";
import { type ModelSpec, modelFromSpec, modelSpec } from "./serialization.js";
import { writeSafetensors } from "@onebit/format";

const NO_OPTIMIZER = { type: "none", scalars: {}, slots: {} };

/**
 * A whole training model as safetensors bytes (Keras's `model.save`): the architecture as JSON in
 * the metadata (`architecture`), the latent weights and BatchNorm statistics, and — when given —
 * the optimizer's state. It is an @onebit/nn checkpoint (checksummed), so `loadCheckpoint` reads
 * it into a model built by hand too.
 */
export function encodeModel(model: Model, optimizer?: Optimizer): Uint8Array {
  const c = checkpointContents(model, optimizer ?? NO_OPTIMIZER, 0, new Rng(model.seed), {
    architecture: JSON.stringify(modelSpec(model)),
  });
  return writeSafetensors(c.tensors, c.metadata);
}

/**
 * Rebuilds a model from `encodeModel` bytes: the architecture, then its weights and statistics
 * (checked before use, see `decodeCheckpoint`); with `optimizer`, restores the saved optimizer state
 * into it too. NnError STATE_MISMATCH for anything that is not a saved model.
 */
export function decodeModel(bytes: Uint8Array, optimizer?: Optimizer): Model {
  const parsed = parseCheckpoint(bytes);
  const text = parsed.extra["architecture"];
  if (text === undefined)
    throw new NnError(
      "STATE_MISMATCH",
      "not a saved model: the file has no architecture (a plain checkpoint?)",
    );
  let spec: ModelSpec;
  try {
    spec = JSON.parse(text) as ModelSpec;
  } catch {
    throw new NnError("STATE_MISMATCH", "the saved architecture is not JSON");
  }
  const model = modelFromSpec(spec);
  const withOptimizer = optimizer && parsed.optimizerState.type !== NO_OPTIMIZER.type ? optimizer : undefined;
  if (optimizer && !withOptimizer)
    throw new NnError("STATE_MISMATCH", "the model was saved without optimizer state");
  decodeCheckpoint(bytes, model, withOptimizer);
  return model;
}
