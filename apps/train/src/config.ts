import { TrainError } from "./errors.js";
import { type Hyperparameters, PRESETS, type PresetName, type ScheduleName } from "./presets.js";

/** Everything that determines a training run's result; checkpoints store it so resumes continue exactly. */
export interface TrainConfig extends Hyperparameters {
  readonly preset: PresetName;
  readonly seed: number;
  /** Multiplies the hidden widths of the preset (1 = as published; 0.5 = the half-width variant). */
  readonly width: number;
  /** Train on the first `limit` training images only (smoke runs); undefined = all 60 000. */
  readonly limit: number | undefined;
  /** Evaluate on the first `testLimit` test images only; undefined = all 10 000. */
  readonly testLimit: number | undefined;
}

export const SCHEDULES: readonly ScheduleName[] = ["cosine", "exponential", "constant"];

/** The preset's defaults with overrides applied and every value checked. */
export function resolveConfig(
  preset: PresetName,
  overrides: Partial<Omit<TrainConfig, "preset">> = {},
): TrainConfig {
  const p = PRESETS[preset];
  const config: TrainConfig = {
    preset,
    seed: 1,
    width: 1,
    limit: undefined,
    testLimit: undefined,
    ...p.defaults,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
  checkConfig(config);
  return config;
}

function positiveInteger(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1)
    throw new TrainError("INVALID_ARGUMENT", `${what} must be a positive integer, got ${v}`);
}

export function checkConfig(c: TrainConfig): void {
  positiveInteger(c.epochs, "epochs");
  positiveInteger(c.batchSize, "batch size");
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff)
    throw new TrainError("INVALID_ARGUMENT", `seed must be an integer in [0, 2^32), got ${c.seed}`);
  if (!(c.learningRate > 0) || !Number.isFinite(c.learningRate))
    throw new TrainError(
      "INVALID_ARGUMENT",
      `learning rate must be a positive number, got ${c.learningRate}`,
    );
  if (!SCHEDULES.includes(c.schedule))
    throw new TrainError(
      "INVALID_ARGUMENT",
      `schedule must be one of ${SCHEDULES.join(", ")}, got ${c.schedule}`,
    );
  if (!(c.finalLearningRate >= 0) || !Number.isFinite(c.finalLearningRate))
    throw new TrainError("INVALID_ARGUMENT", `final learning rate must be ≥ 0, got ${c.finalLearningRate}`);
  if (c.schedule === "exponential" && !(c.finalLearningRate > 0))
    throw new TrainError(
      "INVALID_ARGUMENT",
      "the exponential schedule needs a final learning rate > 0 (e.g. --final-lr 3e-7)",
    );
  if (!Number.isInteger(c.augment) || c.augment < 0 || c.augment > 8)
    throw new TrainError(
      "INVALID_ARGUMENT",
      `augment (max shift in pixels) must be an integer in 0…8, got ${c.augment}`,
    );
  if (!(c.width > 0) || c.width > 4)
    throw new TrainError("INVALID_ARGUMENT", `width must be in (0, 4], got ${c.width}`);
  if (c.limit !== undefined) positiveInteger(c.limit, "limit");
  if (c.testLimit !== undefined) positiveInteger(c.testLimit, "test limit");
}
