// Node.js entry (@onebit/nn/node): checkpoint files. The main entry stays browser-safe.
import { readFile } from "node:fs/promises";
import { saveSafetensors, writeFileAtomic } from "@onebit/format/node";
import type { Rng } from "@onebit/tensor";
import { type MonitorOptions, onImprovement } from "./callbacks.js";
import { NnError } from "./errors.js";
import { decodeModel, encodeModel } from "./model-file.js";
import { type CheckpointInfo, checkpointContents, decodeCheckpoint } from "./checkpoint.js";
import type { FitCallbacks, Model } from "./model-base.js";
import type { Optimizer, OptimizerState } from "./optimizers/optimizer.js";

export type { CheckpointInfo } from "./checkpoint.js";

/**
 * Saves a training checkpoint (safetensors: weights, BatchNorm statistics, optimizer state, epoch,
 * generator state) atomically: a crash never leaves a half-written file.
 */
export async function saveCheckpoint(
  path: string,
  model: Model,
  optimizer: Optimizer | OptimizerState,
  epoch: number,
  rng: Rng,
  extra?: Readonly<Record<string, string>>,
): Promise<void> {
  const c = checkpointContents(model, optimizer, epoch, rng, extra);
  await saveSafetensors(path, c.tensors, c.metadata);
}

/**
 * Loads a checkpoint into `model` (and `optimizer`) atomically; resume with
 * `fit(…, { initialEpoch: epoch, rng })`. NnError IO_ERROR, STATE_MISMATCH or NON_FINITE.
 */
export async function loadCheckpoint(
  path: string,
  model: Model,
  optimizer?: Optimizer,
): Promise<CheckpointInfo> {
  return decodeCheckpoint(await readCheckpointFile(path), model, optimizer);
}

/** The bytes of a checkpoint file; NnError IO_ERROR naming the path when it cannot be read. */
export async function readCheckpointFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new NnError("IO_ERROR", `cannot read checkpoint "${path}": ${(e as Error).message}`);
  }
}

/**
 * A `fit` callback saving a checkpoint after every `every`-th epoch (default 1) to `path`
 * (a string, or a function of the completed epoch count).
 */
export function checkpointCallback(
  path: string | ((epoch: number) => string),
  options: { every?: number } = {},
): FitCallbacks {
  const every = options.every ?? 1;
  return {
    async onEpochEnd(log, ctx) {
      const done = log.epoch + 1;
      if (done % every !== 0 && done !== ctx.epochs) return;
      await saveCheckpoint(
        typeof path === "string" ? path : path(done),
        ctx.model,
        ctx.optimizer,
        done,
        ctx.rng,
      );
    },
  };
}

/**
 * A `fit` callback saving a checkpoint to `path` after every epoch that improves the monitored
 * figure (default valLoss): the best model of the run (Keras's ModelCheckpoint with save_best_only).
 */
export function bestCheckpointCallback(path: string, options: MonitorOptions = {}): FitCallbacks {
  return onImprovement(
    (log, ctx) => saveCheckpoint(path, ctx.model, ctx.optimizer, log.epoch + 1, ctx.rng),
    options,
  );
}

/** Saves a whole training model (architecture, weights, optional optimizer state) atomically; see `encodeModel`. */
export async function saveModel(
  path: string,
  model: Model,
  options: { optimizer?: Optimizer } = {},
): Promise<void> {
  await writeFileAtomic(path, encodeModel(model, options.optimizer));
}

/** Loads a model saved by `saveModel` (restoring the optimizer state into `options.optimizer` when given). */
export async function loadModel(path: string, options: { optimizer?: Optimizer } = {}): Promise<Model> {
  return decodeModel(await readCheckpointFile(path), options.optimizer);
}
