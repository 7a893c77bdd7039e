import {
  encodeCheckpoint,
  NnError,
  parseCheckpoint,
  decodeCheckpoint as restoreCheckpoint,
} from "@onebit/nn";
import { readCheckpointFile } from "@onebit/nn/node";
import { writeFileAtomic } from "@onebit/format/node";
import { checkConfig, type TrainConfig } from "./config.js";
import { TrainError } from "./errors.js";
import { isPresetName } from "./presets.js";
import { createTrainerState, type EpochRecord, type TrainerState } from "./trainer.js";

/*
 * A run checkpoint is an @onebit/nn checkpoint (safetensors: weights, optimizer slots, generator,
 * checksum; see nn's checkpoint.ts) whose extra metadata holds what a run adds: the config, the
 * history and the time spent (JSON strings). Its epoch is the number of finished epochs.
 */

const KIND = "onebit-train-run/2";

export interface RunCheckpoint {
  readonly config: TrainConfig;
  readonly history: EpochRecord[];
  /** Seconds spent before this checkpoint (training, evaluation, checkpointing), across resumes. */
  readonly elapsedSeconds: number;
  /** Model, optimizer and generator restored, `history` included. */
  readonly state: TrainerState;
}

/** The run's state as checkpoint bytes. */
export function encodeRunCheckpoint(
  state: TrainerState,
  config: TrainConfig,
  elapsedSeconds: number,
): Uint8Array {
  return encodeCheckpoint(state.model, state.optimizer, state.history.length, state.rng, {
    kind: KIND,
    config: JSON.stringify(config),
    history: JSON.stringify(state.history),
    elapsedSeconds: String(elapsedSeconds),
  });
}

function bad(path: string, why: string, cause?: unknown): never {
  throw new TrainError("BAD_CHECKPOINT", `checkpoint ${path}: ${why}`, cause ? { cause } : undefined);
}

function parseJson(path: string, text: string | undefined, field: string): unknown {
  if (text === undefined) bad(path, `metadata has no "${field}"`);
  try {
    return JSON.parse(text);
  } catch (e) {
    bad(path, `metadata "${field}" is not JSON (${(e as Error).message})`);
  }
}

/** Rebuilds the run (config, model, optimizer, generator, history) a checkpoint holds. */
export function decodeRunCheckpoint(bytes: Uint8Array, path = "<bytes>"): RunCheckpoint {
  const nnError = (e: unknown): never => {
    if (e instanceof NnError) bad(path, e.message, e);
    throw e;
  };
  let extra: Readonly<Record<string, string>> = {};
  try {
    ({ extra } = parseCheckpoint(bytes));
  } catch (e) {
    nnError(e);
  }
  if (extra["kind"] !== KIND)
    bad(path, `not a training-run checkpoint (kind ${JSON.stringify(extra["kind"])}, expected "${KIND}")`);
  const config = parseJson(path, extra["config"], "config") as TrainConfig;
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
    bad(path, `invalid config: ${(e as Error).message}`, e);
  }
  const history = parseJson(path, extra["history"], "history");
  if (!Array.isArray(history)) bad(path, "history is not an array");
  const elapsedSeconds = Number(extra["elapsedSeconds"] ?? 0);
  if (!Number.isFinite(elapsedSeconds) || elapsedSeconds < 0)
    bad(path, `elapsedSeconds ${extra["elapsedSeconds"]} is invalid`);

  const fresh = createTrainerState(normalized);
  let info: ReturnType<typeof restoreCheckpoint>;
  try {
    info = restoreCheckpoint(bytes, fresh.model, fresh.optimizer);
  } catch (e) {
    if (e instanceof NnError) bad(path, `does not fit preset ${normalized.preset}: ${e.message}`, e);
    throw e;
  }
  if (info.epoch !== history.length) bad(path, `epoch ${info.epoch} but ${history.length} history entries`);
  const state: TrainerState = { ...fresh, rng: info.rng, history: history as EpochRecord[] };
  return { config: normalized, history: state.history, elapsedSeconds, state };
}

/** Writes the run's checkpoint with @onebit/format's atomic save (no partial file on a crash). */
export async function saveRunCheckpoint(
  path: string,
  state: TrainerState,
  config: TrainConfig,
  elapsedSeconds: number,
): Promise<void> {
  await writeFileAtomic(path, encodeRunCheckpoint(state, config, elapsedSeconds));
}

export async function loadRunCheckpoint(path: string): Promise<RunCheckpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readCheckpointFile(path);
  } catch (e) {
    throw new TrainError("IO_ERROR", (e as Error).message, { cause: e });
  }
  return decodeRunCheckpoint(bytes, path);
}
