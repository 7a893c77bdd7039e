import { assertFiniteNumber, assertPositiveInteger, NnError } from "./errors.js";

/** Where training is when a learning rate is asked for (steps are batches, counted from 0). */
export interface ScheduleContext {
  readonly epoch: number;
  readonly epochs: number;
  /** Global batch index since the start of training (resumes continue the count). */
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
}

/** A learning-rate schedule, evaluated before every optimizer step. */
export type Schedule = (ctx: ScheduleContext) => number;

function checkRate(v: number, what: string): void {
  assertFiniteNumber(v, what);
  if (v < 0) throw new NnError("INVALID_ARGUMENT", `${what} must be ≥ 0, got ${v}`);
}

/** lr = initial · factor^⌊epoch / every⌋. */
export function stepDecay(options: { initial: number; factor?: number; every: number }): Schedule {
  const factor = options.factor ?? 0.1;
  checkRate(options.initial, "stepDecay initial");
  checkRate(factor, "stepDecay factor");
  assertPositiveInteger(options.every, "stepDecay every");
  return ({ epoch }) => options.initial * factor ** Math.floor(epoch / options.every);
}

/**
 * Exponential decay per epoch. With `final`: from `initial` at epoch 0 to `final` at the last epoch
 * (the BNN paper: 3e-3 → 3e-7); with `rate`: lr = initial · rate^epoch.
 */
export function exponentialDecay(options: { initial: number; final?: number; rate?: number }): Schedule {
  checkRate(options.initial, "exponentialDecay initial");
  const { final, rate } = options;
  if ((final === undefined) === (rate === undefined)) {
    throw new NnError("INVALID_ARGUMENT", "exponentialDecay needs exactly one of `final` or `rate`");
  }
  if (rate !== undefined) {
    checkRate(rate, "exponentialDecay rate");
    return ({ epoch }) => options.initial * rate ** epoch;
  }
  checkRate(final!, "exponentialDecay final");
  if (final! <= 0 || options.initial <= 0) {
    throw new NnError("INVALID_ARGUMENT", "exponentialDecay from initial to final needs both > 0");
  }
  return ({ epoch, epochs }) =>
    epochs <= 1 ? options.initial : options.initial * (final! / options.initial) ** (epoch / (epochs - 1));
}

/** Cosine decay per step from `initial` to `final` (default 0) over the whole training. */
export function cosineDecay(options: { initial: number; final?: number }): Schedule {
  const final = options.final ?? 0;
  checkRate(options.initial, "cosineDecay initial");
  checkRate(final, "cosineDecay final");
  return ({ step, totalSteps }) =>
    final +
    (options.initial - final) * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps));
}
