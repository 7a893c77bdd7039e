import { shiftAugment } from "@onebit/datasets";
import {
  adam,
  cosineDecay,
  exponentialDecay,
  type Optimizer,
  type Schedule,
  type Model,
  softmaxCrossEntropy,
} from "@onebit/nn";
import { argmaxRows, Rng } from "@onebit/tensor";
import type { TrainConfig } from "./config.js";
import { TrainError } from "./errors.js";
import { normalizeBytes, type Split } from "./data.js";
import { PRESETS } from "./presets.js";

/** One finished epoch: training-mode running averages, then the evaluation-mode test figures. */
export interface EpochRecord {
  /** 1-based. */
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  /** Float training graph in evaluation mode (BatchNorm moving statistics) on the test split. */
  readonly testLoss: number;
  readonly testAccuracy: number;
  /** Learning rate of the epoch's last step. */
  readonly learningRate: number;
  /** Wall time of the training steps (without the test evaluation). */
  readonly seconds: number;
  readonly evalSeconds: number;
  readonly samplesPerSecond: number;
}

/** Everything that changes while training; a checkpoint stores all of it. */
export interface TrainerState {
  readonly model: Model;
  readonly optimizer: Optimizer;
  /** Shuffles, augments and drops out; its state at an epoch end continues the run exactly. */
  readonly rng: Rng;
  readonly history: EpochRecord[];
}

/** Fresh model, optimizer and generator for a config (the model's weights come from `seed`). */
export function createTrainerState(config: TrainConfig): TrainerState {
  const model = PRESETS[config.preset].build(config.seed, config.width);
  const optimizer = adam({ learningRate: config.learningRate });
  // A stream distinct from the weight-initialization stream of the same seed.
  const rng = new Rng(config.seed ^ 0x5bd1e995);
  return { model, optimizer, rng, history: [] };
}

export function createSchedule(config: TrainConfig): Schedule {
  switch (config.schedule) {
    case "cosine":
      return cosineDecay({ initial: config.learningRate, final: config.finalLearningRate });
    case "exponential":
      return exponentialDecay({ initial: config.learningRate, final: config.finalLearningRate });
    case "constant":
      return () => config.learningRate;
  }
}

/** Progress of the current epoch, reported after every step. */
export interface StepProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface TrainHooks {
  /** Stop after this (1-based) epoch even if the schedule runs longer (the state can be resumed). */
  stopAfter?: number;
  onStep?(p: StepProgress): void;
  /** Called after every epoch (e.g. to save a checkpoint) before the next one starts. */
  onEpochEnd?(record: EpochRecord, state: TrainerState): void | Promise<void>;
}

/** Mean loss and accuracy of the float training graph in evaluation mode. */
export function evaluateFloat(
  model: Model,
  split: Split,
  batchSize = 500,
): { loss: number; accuracy: number; predictions: Int32Array } {
  const loss = softmaxCrossEntropy();
  const classes = model.classes;
  const x = new Float32Array(batchSize * split.size);
  const grad = new Float32Array(batchSize * classes);
  const predictions = new Int32Array(split.count);
  let total = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const b = Math.min(batchSize, split.count - start);
    const xb = normalizeBytes(split.images.subarray(start * split.size, (start + b) * split.size), x);
    const out = model.forward(xb.subarray(0, b * split.size), b, false);
    const labels = split.labels.subarray(start, start + b);
    total += loss.compute(out, labels, b, classes, grad.subarray(0, b * classes)) * b;
    argmaxRows(out, b, classes, predictions.subarray(start, start + b));
    for (let i = 0; i < b; i++) if (predictions[start + i] === labels[i]) correct++;
  }
  return { loss: total / split.count, accuracy: correct / split.count, predictions };
}

/**
 * Trains from `state.history.length` (the epochs already done) to `config.epochs`: per epoch a
 * fresh permutation, optional ±`augment` px shifts of the raw bytes, normalization, one Adam step
 * per batch at the scheduled rate, then a test evaluation. Deterministic given the state.
 */
export async function trainEpochs(
  state: TrainerState,
  config: TrainConfig,
  data: { train: Split; test: Split },
  hooks: TrainHooks = {},
): Promise<EpochRecord[]> {
  const { model, optimizer, rng } = state;
  const { train, test } = data;
  const schedule = createSchedule(config);
  const loss = softmaxCrossEntropy();
  const size = train.size;
  const side = Math.round(Math.sqrt(size));
  const bs = config.batchSize;
  const steps = Math.ceil(train.count / bs);
  const totalSteps = steps * config.epochs;
  const raw = new Uint8Array(bs * size);
  const shifted = new Uint8Array(bs * size);
  const x = new Float32Array(bs * size);
  const labels = new Int32Array(bs);

  const last = Math.min(config.epochs, hooks.stopAfter ?? config.epochs);
  for (let epoch = state.history.length; epoch < last; epoch++) {
    const order = rng.permutation(train.count);
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let lr = optimizer.learningRate;
    for (let step = 0; step < steps; step++) {
      const start = step * bs;
      const count = Math.min(bs, train.count - start);
      for (let i = 0; i < count; i++) {
        const s = order[start + i]!;
        raw.set(train.images.subarray(s * size, (s + 1) * size), i * size);
        labels[i] = train.labels[s]!;
      }
      let bytes = raw.subarray(0, count * size);
      if (config.augment > 0) {
        bytes = shiftAugment(bytes, count, side, side, config.augment, rng, {
          out: shifted.subarray(0, count * size),
        });
      }
      const xb = normalizeBytes(bytes, x).subarray(0, count * size);
      lr = schedule({
        epoch,
        epochs: config.epochs,
        step: epoch * steps + step,
        stepsPerEpoch: steps,
        totalSteps,
      });
      optimizer.learningRate = lr;
      const r = model.trainStep(xb, labels.subarray(0, count), count, optimizer, rng, loss);
      if (!Number.isFinite(r.loss)) {
        throw new TrainError(
          "INVALID_ARGUMENT",
          `the loss became ${r.loss} at epoch ${epoch + 1}, step ${step + 1} (learning rate ${lr}); lower the learning rate`,
        );
      }
      lossSum += r.loss * count;
      correct += r.correct;
      seen += count;
      if (hooks.onStep) {
        const seconds = (performance.now() - started) / 1000;
        hooks.onStep({
          epoch: epoch + 1,
          epochs: config.epochs,
          step: step + 1,
          steps,
          loss: lossSum / seen,
          accuracy: correct / seen,
          seconds,
          samplesPerSecond: seen / seconds,
        });
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const evalStarted = performance.now();
    const t = evaluateFloat(model, test);
    const record: EpochRecord = {
      epoch: epoch + 1,
      loss: lossSum / seen,
      accuracy: correct / seen,
      testLoss: t.loss,
      testAccuracy: t.accuracy,
      learningRate: lr,
      seconds,
      evalSeconds: (performance.now() - evalStarted) / 1000,
      samplesPerSecond: seen / seconds,
    };
    state.history.push(record);
    await hooks.onEpochEnd?.(record, state);
  }
  return state.history;
}
