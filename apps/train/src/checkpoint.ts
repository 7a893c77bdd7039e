import { type SafetensorsTensor, readSafetensors, writeSafetensors } from "@onebit/format";
import { readFileAligned, writeFileAtomic } from "@onebit/format/node";
import { checkConfig, type TrainConfig } from "./config.js";
import { TrainError } from "./errors.js";
import { isPresetName } from "./presets.js";
import { createTrainerState, type EpochRecord, type TrainerState } from "./trainer.js";

/*
 * A checkpoint is a safetensors file (readable by any safetensors tool):
 *   model/<layer>/<role>     F32  weights, latent binary weights and BatchNorm moving statistics
 *   optimizer/<param>/<slot> F32  the optimizer's per-parameter slots (Adam's m and v)
 *   rng                      U32  [4] the training generator's state
 * and in __metadata__ the config, the optimizer's type and scalars, and the history (JSON strings).
 * Everything the next epoch reads is in it, so a resumed run gives the same weights bit for bit.
 */

const KIND = "onebit-train-checkpoint/1";

export interface CheckpointInfo {
  readonly config: TrainConfig;
  readonly history: EpochRecord[];
  /** Seconds spent before this checkpoint (training, evaluation, checkpointing), across resumes. */
  readonly elapsedSeconds: number;
}

const f32 = (data: Float32Array): SafetensorsTensor => ({ dtype: "F32", shape: [data.length], data });

export function encodeCheckpoint(
  state: TrainerState,
  config: TrainConfig,
  elapsedSeconds: number,
): Uint8Array {
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [k, v] of Object.entries(state.model.getState())) tensors.set(`model/${k}`, f32(v));
  const opt = state.optimizer.getState();
  for (const [k, v] of Object.entries(opt.slots)) tensors.set(`optimizer/${k}`, f32(v.slice()));
  tensors.set("rng", { dtype: "U32", shape: [4], data: state.rng.getState() });
  return writeSafetensors(tensors, {
    kind: KIND,
    config: JSON.stringify(config),
    history: JSON.stringify(state.history),
    elapsedSeconds: String(elapsedSeconds),
    optimizerType: opt.type,
    optimizerScalars: JSON.stringify(opt.scalars),
  });
}

function bad(path: string, why: string): never {
  throw new TrainError("BAD_CHECKPOINT", `checkpoint ${path}: ${why}`);
}

function parseJson(path: string, text: string | undefined, field: string): unknown {
  if (text === undefined) bad(path, `metadata has no "${field}"`);
  try {
    return JSON.parse(text);
  } catch (e) {
    bad(path, `metadata "${field}" is not JSON (${(e as Error).message})`);
  }
}

/** Rebuilds the trainer state (model, optimizer, generator, history) a checkpoint holds. */
export function decodeCheckpoint(
  bytes: Uint8Array,
  path = "<bytes>",
): CheckpointInfo & { state: TrainerState } {
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes);
  } catch (e) {
    throw new TrainError("BAD_CHECKPOINT", `checkpoint ${path}: ${(e as Error).message}`, { cause: e });
  }
  const meta = file.metadata;
  if (meta["kind"] !== KIND)
    bad(path, `not a training checkpoint (kind ${JSON.stringify(meta["kind"])}, expected "${KIND}")`);
  const config = parseJson(path, meta["config"], "config") as TrainConfig;
  if (typeof config !== "object" || config === null || !isPresetName(String(config.preset)))
    bad(path, `unknown preset ${JSON.stringify((config as { preset?: unknown })?.preset)}`);
  // JSON has no undefined: absent limits come back missing, which means the same.
  const normalized: TrainConfig = {
    ...config,
    limit: config.limit ?? undefined,
    testLimit: config.testLimit ?? undefined,
  };
  try {
    checkConfig(normalized);
  } catch (e) {
    bad(path, `invalid config: ${(e as Error).message}`);
  }
  const history = parseJson(path, meta["history"], "history");
  if (!Array.isArray(history)) bad(path, "history is not an array");
  const elapsedSeconds = Number(meta["elapsedSeconds"] ?? 0);

  const state = createTrainerState(normalized);
  const modelState: Record<string, Float32Array> = {};
  const slots: Record<string, Float32Array> = {};
  let rngState: Uint32Array | undefined;
  for (const [name, t] of file.tensors) {
    if (name === "rng") {
      if (t.dtype !== "U32" || t.data.length !== 4) bad(path, 'tensor "rng" must be U32 [4]');
      rngState = t.data as Uint32Array;
    } else if (t.dtype !== "F32") {
      bad(path, `tensor "${name}" is ${t.dtype}, expected F32`);
    } else if (name.startsWith("model/")) modelState[name.slice(6)] = t.data as Float32Array;
    else if (name.startsWith("optimizer/")) slots[name.slice(10)] = t.data as Float32Array;
    else bad(path, `unexpected tensor "${name}"`);
  }
  if (!rngState) bad(path, 'no "rng" tensor');
  try {
    state.model.setState(modelState);
    state.optimizer.setState({
      type: meta["optimizerType"] ?? "",
      scalars: parseJson(path, meta["optimizerScalars"], "optimizerScalars") as Record<string, number>,
      slots,
    });
    state.rng.setState(rngState);
  } catch (e) {
    if (e instanceof TrainError) throw e;
    throw new TrainError(
      "BAD_CHECKPOINT",
      `checkpoint ${path} does not fit preset ${normalized.preset}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  state.history.push(...(history as EpochRecord[]));
  return { config: normalized, history: state.history, elapsedSeconds, state };
}

export async function saveCheckpoint(
  path: string,
  state: TrainerState,
  config: TrainConfig,
  elapsedSeconds: number,
): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(state, config, elapsedSeconds));
}

export async function loadCheckpoint(path: string): Promise<CheckpointInfo & { state: TrainerState }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileAligned(path);
  } catch (e) {
    throw new TrainError("IO_ERROR", `cannot read checkpoint ${path}: ${(e as Error).message}`, { cause: e });
  }
  return decodeCheckpoint(bytes, path);
}
