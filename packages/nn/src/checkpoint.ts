import { readSafetensors, type SafetensorsTensor, writeSafetensors } from "@onebit/format";
import { Rng } from "@onebit/tensor";
import { NnError } from "./errors.js";
import type { Sequential } from "./model.js";
import type { Optimizer, OptimizerState } from "./optimizers/optimizer.js";
import { VERSION } from "./version.js";

/** What a training checkpoint holds besides the model's weights and statistics. */
export interface CheckpointInfo {
  /** Completed epochs: resume with `fit(…, { initialEpoch: epoch, rng })`. */
  readonly epoch: number;
  /** The training generator positioned where the interrupted run left it. */
  readonly rng: Rng;
  /** The optimizer state (also restored into `optimizer` when one is passed to the decoder). */
  readonly optimizerState: OptimizerState;
  /** Free-form string metadata stored with the checkpoint. */
  readonly extra: Readonly<Record<string, string>>;
}

const FORMAT = "onebit-nn-checkpoint";
const MODEL = "model/";
const OPTIMIZER = "optimizer/";
const RNG = "rng/state";

function layerSignature(model: Sequential): string {
  return JSON.stringify(Object.entries(model.getState()).map(([k, v]) => [k, v.length]));
}

/**
 * Serializes a training checkpoint to safetensors bytes: latent weights and BatchNorm statistics
 * (`model/…`), optimizer slots (`optimizer/…`), the generator state (`rng/state`, U32 [4]) and, in
 * the string metadata, the epoch, optimizer type and scalars. Plain safetensors, so PyTorch and
 * Hugging Face tools can read the weights.
 */
export function encodeCheckpoint(
  model: Sequential,
  optimizer: Optimizer | OptimizerState,
  epoch: number,
  rng: Rng,
  extra: Readonly<Record<string, string>> = {},
): Uint8Array {
  const c = checkpointContents(model, optimizer, epoch, rng, extra);
  return writeSafetensors(c.tensors, c.metadata);
}

/** The tensors and string metadata of a checkpoint (what `encodeCheckpoint` serializes). */
export function checkpointContents(
  model: Sequential,
  optimizer: Optimizer | OptimizerState,
  epoch: number,
  rng: Rng,
  extra: Readonly<Record<string, string>> = {},
): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new NnError("INVALID_ARGUMENT", `checkpoint epoch must be a non-negative integer, got ${epoch}`);
  }
  const opt = "getState" in optimizer ? optimizer.getState() : optimizer;
  const tensors = new Map<string, SafetensorsTensor>();
  const state = model.getState();
  const shapes = new Map<string, readonly number[]>();
  for (const layer of model.layers) {
    for (const p of layer.params()) shapes.set(p.name, p.shape);
  }
  for (const [name, data] of Object.entries(state)) {
    tensors.set(MODEL + name, { dtype: "F32", shape: shapes.get(name) ?? [data.length], data });
  }
  for (const [name, data] of Object.entries(opt.slots)) {
    tensors.set(OPTIMIZER + name, { dtype: "F32", shape: [data.length], data: data.slice() });
  }
  tensors.set(RNG, { dtype: "U32", shape: [4], data: rng.getState() });
  const metadata: Record<string, string> = {
    ...extra,
    format: FORMAT,
    formatVersion: "1",
    library: `@onebit/nn ${VERSION}`,
    model: model.name,
    seed: String(model.seed),
    epoch: String(epoch),
    optimizerType: opt.type,
    optimizerScalars: JSON.stringify(opt.scalars),
    layout: layerSignature(model),
  };
  return { tensors, metadata };
}

/**
 * Restores a checkpoint from `encodeCheckpoint` into `model` (weights and statistics, in place) and,
 * when given, `optimizer`; returns the epoch, generator and optimizer state. Validates everything
 * against the model before changing it: NnError STATE_MISMATCH when it belongs to another model.
 */
export function decodeCheckpoint(
  bytes: Uint8Array,
  model: Sequential,
  optimizer?: Optimizer,
): CheckpointInfo {
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes);
  } catch (e) {
    throw new NnError("STATE_MISMATCH", `not a readable checkpoint: ${(e as Error).message}`);
  }
  const meta = file.metadata;
  if (meta["format"] !== FORMAT) {
    throw new NnError(
      "STATE_MISMATCH",
      `not an @onebit/nn checkpoint (metadata format is ${JSON.stringify(meta["format"])})`,
    );
  }
  if (meta["formatVersion"] !== "1") {
    throw new NnError(
      "STATE_MISMATCH",
      `unsupported checkpoint version ${JSON.stringify(meta["formatVersion"])}`,
    );
  }
  if (meta["layout"] !== layerSignature(model)) {
    throw new NnError(
      "STATE_MISMATCH",
      `the checkpoint was saved from a different architecture (model "${meta["model"]}"), its tensors do not match this model's`,
    );
  }
  const epoch = Number(meta["epoch"]);
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new NnError("STATE_MISMATCH", `checkpoint epoch ${meta["epoch"]} is invalid`);
  const modelState: Record<string, Float32Array> = {};
  const slots: Record<string, Float32Array> = {};
  let rngState: Uint32Array | undefined;
  for (const [name, t] of file.tensors) {
    if (name === RNG) {
      if (t.dtype !== "U32" || t.data.length !== 4)
        throw new NnError("STATE_MISMATCH", `${RNG} must be U32 [4]`);
      rngState = t.data;
    } else if (t.dtype !== "F32") {
      throw new NnError("STATE_MISMATCH", `checkpoint tensor "${name}" has dtype ${t.dtype}, F32 expected`);
    } else if (name.startsWith(MODEL)) modelState[name.slice(MODEL.length)] = t.data;
    else if (name.startsWith(OPTIMIZER)) slots[name.slice(OPTIMIZER.length)] = t.data;
    else throw new NnError("STATE_MISMATCH", `unknown checkpoint tensor "${name}"`);
  }
  if (!rngState) throw new NnError("STATE_MISMATCH", `the checkpoint has no ${RNG}`);
  let scalars: Record<string, number>;
  try {
    scalars = JSON.parse(meta["optimizerScalars"] ?? "{}") as Record<string, number>;
  } catch {
    throw new NnError("STATE_MISMATCH", "checkpoint optimizerScalars is not JSON");
  }
  const optimizerState: OptimizerState = { type: meta["optimizerType"] ?? "", scalars, slots };
  // Validate both before mutating either.
  if (optimizer) {
    const expected = optimizer.getState().type;
    if (expected !== optimizerState.type) {
      throw new NnError(
        "STATE_MISMATCH",
        `the checkpoint's optimizer is "${optimizerState.type}", this one is "${expected}"`,
      );
    }
  }
  const rng = new Rng(0);
  try {
    rng.setState(rngState);
  } catch (e) {
    throw new NnError("STATE_MISMATCH", `checkpoint rng state: ${(e as Error).message}`);
  }
  model.setState(modelState);
  optimizer?.setState(optimizerState);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (
      ![
        "format",
        "formatVersion",
        "library",
        "model",
        "seed",
        "epoch",
        "optimizerType",
        "optimizerScalars",
        "layout",
      ].includes(k)
    )
      extra[k] = v;
  }
  return { epoch, rng, optimizerState, extra };
}
