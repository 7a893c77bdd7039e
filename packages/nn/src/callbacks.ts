import { NnError } from "./errors.js";
import type { EpochLog, FitCallbacks } from "./model-base.js";

/** An `EpochLog` figure a callback watches. */
export type Monitor = "loss" | "accuracy" | "valLoss" | "valAccuracy" | "valTopKAccuracy";

export interface MonitorOptions {
  /** Default "valLoss". */
  monitor?: Monitor;
  /** "min" or "max"; default: "max" for accuracies, "min" for losses. */
  mode?: "min" | "max";
  /** The least change that counts as an improvement. Default 0. */
  minDelta?: number;
}

/** Tracks the best value of a monitored figure; `update` says whether this epoch improved on it. */
class Best {
  readonly monitor: Monitor;
  private readonly sign: 1 | -1;
  private readonly minDelta: number;
  value = Number.NaN;

  constructor(o: MonitorOptions, what: string) {
    this.monitor = o.monitor ?? "valLoss";
    if (!["loss", "accuracy", "valLoss", "valAccuracy", "valTopKAccuracy"].includes(this.monitor)) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${what} monitor must name an EpochLog figure, got ${String(this.monitor)}`,
      );
    }
    const mode = o.mode ?? (this.monitor.endsWith("ccuracy") ? "max" : "min");
    if (mode !== "min" && mode !== "max")
      throw new NnError("INVALID_ARGUMENT", `${what} mode must be "min" or "max"`);
    this.sign = mode === "max" ? 1 : -1;
    this.minDelta = o.minDelta ?? 0;
    if (!(this.minDelta >= 0) || !Number.isFinite(this.minDelta)) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${what} minDelta must be a finite number ≥ 0, got ${this.minDelta}`,
      );
    }
  }

  /** The epoch's figure; NnError when the log lacks it (e.g. valLoss without validation data). */
  read(log: EpochLog, what: string): number {
    const v = log[this.monitor];
    if (v === undefined) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${what} monitors ${this.monitor}, which fit does not report (validation data or topK missing)`,
      );
    }
    return v;
  }

  update(v: number): boolean {
    const better = Number.isNaN(this.value) || this.sign * (v - this.value) > this.minDelta;
    if (better) this.value = v;
    return better;
  }
}

function count(v: number | undefined, fallback: number, what: string): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < 0)
    throw new NnError("INVALID_ARGUMENT", `${what} must be an integer ≥ 0, got ${n}`);
  return n;
}

/**
 * Stops `fit` when the monitored figure has not improved for `patience` epochs (Keras's
 * EarlyStopping); with `restoreBestWeights` the model ends with the weights of its best epoch.
 */
export function earlyStopping(
  options: MonitorOptions & { patience?: number; restoreBestWeights?: boolean } = {},
): FitCallbacks {
  const best = new Best(options, "earlyStopping");
  const patience = count(options.patience, 0, "earlyStopping patience");
  let wait = 0;
  let bestState: Record<string, Float32Array> | undefined;
  return {
    onTrainBegin() {
      best.value = Number.NaN;
      wait = 0;
      bestState = undefined;
    },
    onEpochEnd(log, ctx) {
      if (best.update(best.read(log, "earlyStopping"))) {
        wait = 0;
        if (options.restoreBestWeights) bestState = ctx.model.getState();
      } else if (++wait > patience) ctx.model.stopTraining = true;
    },
    onTrainEnd(_history, ctx) {
      if (bestState) ctx.model.setState(bestState);
    },
  };
}

/**
 * Multiplies the optimizer's learning rate by `factor` (default 0.1, not below `minLearningRate`)
 * when the monitored figure has not improved for `patience` epochs (default 10), then waits
 * `cooldown` epochs (Keras's ReduceLROnPlateau). A `schedule` passed to `fit` sets the rate before
 * every step and would undo this: use one or the other.
 */
export function reduceLearningRateOnPlateau(
  options: MonitorOptions & {
    factor?: number;
    patience?: number;
    cooldown?: number;
    minLearningRate?: number;
  } = {},
): FitCallbacks {
  const best = new Best(options, "reduceLearningRateOnPlateau");
  const factor = options.factor ?? 0.1;
  if (!(factor > 0 && factor < 1)) {
    throw new NnError(
      "INVALID_ARGUMENT",
      `reduceLearningRateOnPlateau factor must lie in (0, 1), got ${factor}`,
    );
  }
  const patience = count(options.patience, 10, "reduceLearningRateOnPlateau patience");
  const cooldown = count(options.cooldown, 0, "reduceLearningRateOnPlateau cooldown");
  const minLr = options.minLearningRate ?? 0;
  let wait = 0;
  let cooling = 0;
  return {
    onTrainBegin() {
      best.value = Number.NaN;
      wait = 0;
      cooling = 0;
    },
    onEpochEnd(log, ctx) {
      const improved = best.update(best.read(log, "reduceLearningRateOnPlateau"));
      if (cooling > 0) {
        cooling--;
        wait = 0;
        return;
      }
      if (improved) wait = 0;
      else if (++wait > patience) {
        ctx.optimizer.learningRate = Math.max(minLr, ctx.optimizer.learningRate * factor);
        wait = 0;
        cooling = cooldown;
      }
    },
  };
}

/** Calls `save` after every epoch that improves the monitored figure (the basis of `bestCheckpointCallback`). */
export function onImprovement(
  save: (log: EpochLog, ctx: Parameters<NonNullable<FitCallbacks["onEpochEnd"]>>[1]) => void | Promise<void>,
  options: MonitorOptions = {},
): FitCallbacks {
  const best = new Best(options, "onImprovement");
  return {
    onTrainBegin() {
      best.value = Number.NaN;
    },
    async onEpochEnd(log, ctx) {
      if (best.update(best.read(log, "onImprovement"))) await save(log, ctx);
    },
  };
}
