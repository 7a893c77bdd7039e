import { argmaxRows, Rng } from "@onebit/tensor";
import { type LabeledData, checkLabeledData, checkSamples } from "./data.js";
import { NnError } from "./errors.js";
import type { BuildContext, Layer } from "./layers/layer.js";
import { countCorrect, countTopK, type Loss, type LossLike, resolveLoss } from "./losses.js";
import type { Optimizer } from "./optimizers/optimizer.js";
import type { Param } from "./param.js";
import { defaultProgressStream, ProgressLine, type ProgressStream } from "./progress.js";
import type { Schedule } from "./schedules.js";
import { type Shape, Scratch, sizeOf } from "./shape.js";
import { type TrainingSummary, summarize } from "./summary.js";

export interface CompileOptions {
  /** Default "softmaxCrossEntropy". */
  loss?: LossLike;
  optimizer?: Optimizer;
  schedule?: Schedule;
}

/** One epoch's results (`fit` history entry and `onEpochEnd` argument). */
export interface EpochLog {
  /** 0-based epoch index. */
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  /** Share of validation samples whose label is among the `topK` largest outputs (with `topK`). */
  readonly valTopKAccuracy?: number;
  /** Wall time of the epoch's training batches (without validation). */
  readonly seconds: number;
  readonly samplesPerSecond: number;
  /** Learning rate of the epoch's last step. */
  readonly learningRate: number;
}

export interface BatchLog {
  readonly epoch: number;
  readonly batch: number;
  readonly size: number;
  readonly loss: number;
  readonly accuracy: number;
}

/** What callbacks can reach while training, e.g. to save a checkpoint. */
export interface TrainingContext {
  readonly model: Model;
  readonly optimizer: Optimizer;
  /** The generator that shuffles and drops out; its state at an epoch end resumes training exactly. */
  readonly rng: Rng;
  readonly epochs: number;
}

export interface FitCallbacks {
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onBatchEnd?(log: BatchLog, ctx: TrainingContext): void;
  onEpochEnd?(log: EpochLog, ctx: TrainingContext): void | Promise<void>;
  onTrainEnd?(history: History, ctx: TrainingContext): void | Promise<void>;
}

export interface FitOptions {
  epochs: number;
  /** Default 32. The last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Overrides the compiled optimizer. */
  optimizer?: Optimizer;
  /** Overrides the compiled loss. */
  loss?: LossLike;
  /** Sets the optimizer's learning rate before every step. */
  schedule?: Schedule;
  /** Seeds shuffling and dropout (default: derived from the model's seed). */
  seed?: number;
  /** Use this generator instead of one from `seed` (checkpoint resumes pass the restored one). */
  rng?: Rng;
  /** Shuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  validation?: LabeledData;
  /**
   * Hold out this fraction (0 < f < 1) of a fixed dataset as validation data: the last samples,
   * before any shuffling (as Keras does). Not with `validation` or a per-epoch data function.
   */
  validationSplit?: number;
  /** Also report top-k accuracy on the validation data (`valTopKAccuracy`). */
  topK?: number;
  callbacks?: FitCallbacks | readonly FitCallbacks[];
  /** 1 (default): progress line on a TTY; 0: silent. */
  verbose?: 0 | 1;
  /** Where the progress line goes (default process.stderr; only drawn when it is a TTY). */
  progressStream?: ProgressStream;
  /** Start at this epoch (resuming); schedules see the global step count. Default 0. */
  initialEpoch?: number;
}

/** A dataset per epoch, drawn with the training generator (for augmentation). */
export type EpochData = (epoch: number, rng: Rng) => LabeledData;

export interface History {
  readonly epochs: EpochLog[];
}

export interface EvaluateResult {
  readonly loss: number;
  readonly accuracy: number;
  /** With `topK`: share of samples whose label is among the k largest outputs. */
  readonly topKAccuracy?: number;
}

/**
 * What every model shares — Keras/Larq-like `compile`, `fit`, `evaluate`, `predict`, `summary`,
 * state for checkpoints — over layers in an order where each comes after its inputs. `Sequential`
 * (a chain) and `GraphModel` (a DAG) supply the forward and backward passes.
 */
export abstract class Model {
  abstract readonly name: string;
  /** Every layer, each after the layers it reads from. */
  abstract readonly layers: readonly Layer[];
  abstract readonly inputShape: Shape;
  abstract readonly outputShape: Shape;
  /** Seeded the weights; `fit` derives its generator from it unless given one. */
  abstract readonly seed: number;
  /** Set to true from a callback to end `fit` after the current epoch. */
  stopTraining = false;
  private loss: Loss | undefined;
  private optimizer: Optimizer | undefined;
  private schedule: Schedule | undefined;
  private paramCache: Param[] | undefined;
  private readonly xBatch = new Scratch();
  private readonly gradBuffer = new Scratch();
  private labelBatch = new Int32Array(0);

  /** Number of classes (outputs per sample). */
  get classes(): number {
    return sizeOf(this.outputShape);
  }

  /** All trainable parameters in layer order. */
  params(): Param[] {
    this.paramCache ??= this.layers.flatMap((l) => l.params());
    return this.paramCache;
  }

  compile(options: CompileOptions = {}): this {
    this.loss = resolveLoss(options.loss ?? "softmaxCrossEntropy");
    if (options.optimizer) this.optimizer = options.optimizer;
    if (options.schedule) this.schedule = options.schedule;
    return this;
  }

  /**
   * Forward pass over `batch` samples; returns a view of the output layer's buffer (valid until the
   * next forward).
   */
  abstract forward(x: Float32Array, batch: number, training?: boolean, rng?: Rng): Float32Array;

  /** Backward pass from ∂loss/∂output of the last forward; fills every parameter's `grad`. */
  abstract backward(gradOut: Float32Array, batch: number): void;

  /** Throws SHAPE_MISMATCH unless `x` holds `batch` samples of the input shape. */
  protected checkModelInput(x: Float32Array, batch: number): void {
    const size = sizeOf(this.inputShape);
    if (x.length !== batch * size) {
      throw new NnError(
        "SHAPE_MISMATCH",
        `model input holds ${x.length} values, expected batch ${batch} × ${size} = ${batch * size}`,
      );
    }
  }

  /** Bits of each layer's input values (1 after a sign, else 32), in `layers` order, for the summary. */
  abstract layerInputBits(): number[];

  /**
   * The model as a graph: node 0 is the input (no layer), every other node a layer over the nodes
   * `inputs` (earlier indices); the last node is the output. For export.
   */
  abstract topology(): ReadonlyArray<{
    readonly layer: Layer | undefined;
    readonly inputs: readonly number[];
  }>;

  /** One optimizer step on one batch (training mode); returns the batch's mean loss and correct count. */
  trainStep(
    x: Float32Array,
    labels: Int32Array,
    batch: number,
    optimizer: Optimizer,
    rng: Rng,
    loss: Loss = this.loss ?? resolveLoss("softmaxCrossEntropy"),
  ): { loss: number; correct: number } {
    const out = this.forward(x, batch, true, rng);
    const classes = this.classes;
    const grad = this.gradBuffer.get(batch * classes);
    const value = loss.compute(out, labels, batch, classes, grad);
    const correct = countCorrect(out, labels, batch, classes);
    this.backward(grad, batch);
    optimizer.step(this.params());
    if (!optimizer.appliesConstraints) for (const p of this.params()) p.constraint?.apply(p.value);
    return { loss: value, correct };
  }

  /** Outputs (logits) for every sample of x in evaluation mode: [n, classes]. */
  predict(x: Float32Array, options: { batchSize?: number } = {}): Float32Array {
    const n = checkSamples(x, this.inputShape, "predict");
    const size = sizeOf(this.inputShape);
    const classes = this.classes;
    const batchSize = options.batchSize ?? 128;
    const out = new Float32Array(n * classes);
    for (let start = 0; start < n; start += batchSize) {
      const b = Math.min(batchSize, n - start);
      const y = this.forward(x.subarray(start * size, (start + b) * size), b, false);
      out.set(y, start * classes);
    }
    return out;
  }

  /** Predicted class of every sample (argmax of `predict`, first on ties). */
  predictClasses(x: Float32Array, options: { batchSize?: number } = {}): Int32Array {
    const logits = this.predict(x, options);
    return argmaxRows(logits, logits.length / this.classes, this.classes);
  }

  /** Mean loss and accuracy (and top-k accuracy with `topK`) in evaluation mode. */
  evaluate(
    data: LabeledData,
    options: { batchSize?: number; loss?: LossLike; topK?: number } = {},
  ): EvaluateResult {
    const labels = checkLabeledData(data, this.inputShape, this.classes, "evaluate data");
    const topK = this.checkTopK(options.topK, "evaluate");
    return this.evaluateChecked(
      data.x,
      labels,
      options.batchSize ?? 128,
      this.resolveLoss(options.loss),
      topK,
    );
  }

  private checkTopK(k: number | undefined, what: string): number | undefined {
    if (k === undefined) return undefined;
    if (!Number.isInteger(k) || k < 1 || k > this.classes) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `${what} topK must be an integer in [1, ${this.classes}], got ${k}`,
      );
    }
    return k;
  }

  private evaluateChecked(
    x: Float32Array,
    labels: Int32Array,
    batchSize: number,
    loss: Loss,
    topK?: number,
  ): EvaluateResult {
    const n = labels.length;
    const size = sizeOf(this.inputShape);
    const classes = this.classes;
    let total = 0;
    let correct = 0;
    let inTopK = 0;
    for (let start = 0; start < n; start += batchSize) {
      const b = Math.min(batchSize, n - start);
      const y = this.forward(x.subarray(start * size, (start + b) * size), b, false);
      const grad = this.gradBuffer.get(b * classes);
      total += loss.compute(y, labels.subarray(start, start + b), b, classes, grad) * b;
      correct += countCorrect(y, labels.subarray(start, start + b), b, classes);
      if (topK !== undefined) inTopK += countTopK(y, labels.subarray(start, start + b), b, classes, topK);
    }
    const result = { loss: n > 0 ? total / n : Number.NaN, accuracy: n > 0 ? correct / n : Number.NaN };
    return topK === undefined ? result : { ...result, topKAccuracy: n > 0 ? inTopK / n : Number.NaN };
  }

  private resolveLoss(loss: LossLike | undefined): Loss {
    return loss !== undefined ? resolveLoss(loss) : (this.loss ?? resolveLoss("softmaxCrossEntropy"));
  }

  /**
   * Trains the model; resolves to the per-epoch history. `data` is a dataset, or a function giving
   * each epoch's dataset (e.g. freshly augmented with the training generator, so seeded runs and
   * resumed checkpoints see the same samples); every epoch must have the same number of samples.
   */
  async fit(dataset: LabeledData | EpochData, options: FitOptions): Promise<History> {
    const epochs = options?.epochs;
    const { data, validation } = this.splitValidation(dataset, options);
    const topK = this.checkTopK(options.topK, "fit");
    if (!Number.isInteger(epochs) || epochs < 0) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `fit epochs must be a non-negative integer, got ${String(epochs)}`,
      );
    }
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new NnError("INVALID_ARGUMENT", `fit batchSize must be a positive integer, got ${batchSize}`);
    }
    const initialEpoch = options.initialEpoch ?? 0;
    if (!Number.isInteger(initialEpoch) || initialEpoch < 0) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `fit initialEpoch must be a non-negative integer, got ${initialEpoch}`,
      );
    }
    const optimizer = options.optimizer ?? this.optimizer;
    if (!optimizer) {
      throw new NnError(
        "NOT_COMPILED",
        "fit needs an optimizer: pass { optimizer } or call compile({ optimizer }) first",
      );
    }
    const loss = this.resolveLoss(options.loss);
    const schedule = options.schedule ?? this.schedule;
    const valLabels = validation
      ? checkLabeledData(validation, this.inputShape, this.classes, "fit validation")
      : undefined;
    const seed = options.seed ?? this.seed;
    if (!Number.isInteger(seed))
      throw new NnError("INVALID_ARGUMENT", `fit seed must be an integer, got ${seed}`);
    // A stream distinct from the initialization stream of the same seed.
    const rng = options.rng ?? new Rng(seed ^ 0x6a09e667);
    const epochData = (epoch: number): { set: LabeledData; labels: Int32Array } => {
      const set = typeof data === "function" ? data(epoch, rng) : data;
      const what = typeof data === "function" ? `fit data of epoch ${epoch}` : "fit data";
      return { set, labels: checkLabeledData(set, this.inputShape, this.classes, what) };
    };
    let current = epochs > initialEpoch || typeof data !== "function" ? epochData(initialEpoch) : undefined;
    const n = current?.labels.length ?? 0;
    if (current && n === 0) throw new NnError("INVALID_ARGUMENT", "fit data holds no samples");
    const shuffle = options.shuffle ?? true;
    const callbacks =
      options.callbacks === undefined
        ? []
        : Array.isArray(options.callbacks)
          ? options.callbacks
          : [options.callbacks as FitCallbacks];
    const progress = new ProgressLine(
      options.verbose === 0 ? undefined : (options.progressStream ?? defaultProgressStream()),
    );
    const ctx: TrainingContext = { model: this, optimizer, rng, epochs };

    const size = sizeOf(this.inputShape);
    const stepsPerEpoch = Math.ceil(n / batchSize);
    const totalSteps = stepsPerEpoch * epochs;
    const xb = this.xBatch.get(Math.max(1, Math.min(batchSize, n)) * size);
    if (this.labelBatch.length < batchSize) this.labelBatch = new Int32Array(batchSize);
    const history: History = { epochs: [] };
    const identity = new Int32Array(n).map((_, i) => i);
    this.stopTraining = false;
    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);

    for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining; epoch++) {
      if (!current) {
        current = epochData(epoch);
        if (current.labels.length !== n) {
          throw new NnError(
            "SHAPE_MISMATCH",
            `fit data of epoch ${epoch} holds ${current.labels.length} samples, earlier epochs ${n}`,
          );
        }
      }
      const { set, labels } = current;
      // A fixed dataset is checked once; a provider's is drawn and checked every epoch.
      if (typeof data === "function") current = undefined;
      const order = shuffle ? rng.permutation(n) : identity;
      const started = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lr = optimizer.learningRate;
      for (let b = 0; b < stepsPerEpoch; b++) {
        const start = b * batchSize;
        const count = Math.min(batchSize, n - start);
        const x = count === batchSize ? xb : xb.subarray(0, count * size);
        const yb = this.labelBatch.subarray(0, count);
        for (let i = 0; i < count; i++) {
          const s = order[start + i]!;
          x.set(set.x.subarray(s * size, (s + 1) * size), i * size);
          yb[i] = labels[s]!;
        }
        if (schedule) {
          lr = schedule({ epoch, epochs, step: epoch * stepsPerEpoch + b, stepsPerEpoch, totalSteps });
          optimizer.learningRate = lr;
        }
        const r = this.trainStep(x, yb, count, optimizer, rng, loss);
        if (!Number.isFinite(r.loss)) {
          throw new NnError(
            "NON_FINITE",
            `the loss became ${r.loss} at epoch ${epoch}, batch ${b} (learning rate ${lr}); check the inputs and the learning rate`,
          );
        }
        lossSum += r.loss * count;
        correct += r.correct;
        seen += count;
        for (const cb of callbacks) {
          cb.onBatchEnd?.({ epoch, batch: b, size: count, loss: r.loss, accuracy: r.correct / count }, ctx);
        }
        const elapsed = (performance.now() - started) / 1000;
        progress.update(
          `epoch ${epoch + 1}/${epochs}`,
          b + 1,
          stepsPerEpoch,
          elapsed,
          `loss ${(lossSum / seen).toFixed(4)} acc ${(correct / seen).toFixed(4)} ${Math.round(seen / elapsed)}/s`,
        );
      }
      const seconds = (performance.now() - started) / 1000;
      let log: EpochLog = {
        epoch,
        loss: lossSum / seen,
        accuracy: correct / seen,
        seconds,
        samplesPerSecond: seen / seconds,
        learningRate: lr,
      };
      if (validation && valLabels) {
        const v = this.evaluateChecked(validation.x, valLabels, Math.max(batchSize, 128), loss, topK);
        log = { ...log, valLoss: v.loss, valAccuracy: v.accuracy };
        if (v.topKAccuracy !== undefined) log = { ...log, valTopKAccuracy: v.topKAccuracy };
      }
      history.epochs.push(log);
      progress.finish(formatEpochLog(log, epochs));
      for (const cb of callbacks) await cb.onEpochEnd?.(log, ctx);
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(history, ctx);
    return history;
  }

  /** `fit`'s data and validation data, with `validationSplit` applied. */
  private splitValidation(
    data: LabeledData | EpochData,
    options: FitOptions,
  ): { data: LabeledData | EpochData; validation: LabeledData | undefined } {
    const split = options?.validationSplit;
    if (split === undefined) return { data, validation: options?.validation };
    if (typeof split !== "number" || !(split > 0 && split < 1)) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `fit validationSplit must be a number in (0, 1), got ${String(split)}`,
      );
    }
    if (typeof data === "function" || options.validation) {
      throw new NnError(
        "INVALID_ARGUMENT",
        "fit validationSplit needs a fixed dataset and no validation option (it holds out the dataset's last samples)",
      );
    }
    const labels = checkLabeledData(data, this.inputShape, this.classes, "fit data");
    const n = labels.length;
    const held = Math.floor(n * split);
    if (held < 1 || held >= n) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `fit validationSplit ${split} of ${n} samples holds out ${held}: at least one must remain on each side`,
      );
    }
    const cut = (n - held) * sizeOf(this.inputShape);
    return {
      data: { x: data.x.subarray(0, cut), y: labels.subarray(0, n - held) },
      validation: { x: data.x.subarray(cut), y: labels.subarray(n - held) },
    };
  }

  /** Copies of all weights and state tensors by name (`<layer>/<role>`), for checkpoints. */
  getState(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const layer of this.layers) {
      for (const p of layer.params()) out[p.name] = p.value.slice();
      for (const [k, v] of Object.entries(layer.stateTensors())) out[`${layer.name}/${k}`] = v.slice();
    }
    return out;
  }

  private stateTargets(): Array<[string, Float32Array]> {
    const targets: Array<[string, Float32Array]> = [];
    for (const layer of this.layers) {
      for (const p of layer.params()) targets.push([p.name, p.value]);
      for (const [k, v] of Object.entries(layer.stateTensors())) targets.push([`${layer.name}/${k}`, v]);
    }
    return targets;
  }

  /** Restores `getState` output: every tensor must be present with the same length (checked first). */
  setState(state: Readonly<Record<string, Float32Array>>): void {
    this.checkState(state);
    for (const [k, target] of this.stateTargets()) target.set(state[k]!);
  }

  /** Throws STATE_MISMATCH unless `setState(state)` would succeed; changes nothing. */
  checkState(state: Readonly<Record<string, Float32Array>>): void {
    const targets = this.stateTargets();
    const known = new Set(targets.map(([k]) => k));
    for (const k of Object.keys(state)) {
      if (!known.has(k))
        throw new NnError("STATE_MISMATCH", `state tensor "${k}" belongs to no layer of this model`);
    }
    for (const [k, target] of targets) {
      const v = state[k];
      if (!v) throw new NnError("STATE_MISMATCH", `state is missing tensor "${k}"`);
      if (v.length !== target.length) {
        throw new NnError(
          "STATE_MISMATCH",
          `state tensor "${k}" has ${v.length} values, the model needs ${target.length}`,
        );
      }
    }
  }

  /** Larq-style summary: per layer precision, shape, parameters, memory and MACs; totals. */
  summary(): TrainingSummary {
    return summarize(this);
  }
}

function formatEpochLog(log: EpochLog, epochs: number): string {
  let s = `epoch ${log.epoch + 1}/${epochs} loss ${log.loss.toFixed(4)} acc ${log.accuracy.toFixed(4)}`;
  if (log.valLoss !== undefined)
    s += ` val_loss ${log.valLoss.toFixed(4)} val_acc ${log.valAccuracy!.toFixed(4)}`;
  return `${s} ${log.seconds.toFixed(1)}s ${Math.round(log.samplesPerSecond)} samples/s`;
}

/** A build context whose names are unique among `layers` (`binary_dense` → `binary_dense_1`, …). */
export function buildContext(seed: number, layers: readonly Layer[]): BuildContext {
  const counters = new Map<string, number>();
  const taken = new Set(layers.map((l) => l.name));
  return {
    rng: new Rng(seed),
    uniqueName(prefix: string) {
      let name: string;
      do {
        const n = (counters.get(prefix) ?? 0) + 1;
        counters.set(prefix, n);
        name = `${prefix}_${n}`;
      } while (taken.has(name));
      taken.add(name);
      return name;
    },
  };
}

/** Throws unless every layer has its own name (state tensors are keyed by it). */
export function checkUniqueNames(layers: readonly Layer[]): void {
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw new NnError("INVALID_ARGUMENT", `two layers are named "${l.name}"`);
    names.add(l.name);
  }
}

/** Checks a model seed: an integer (default 0). */
export function modelSeed(seed: number | undefined): number {
  const s = seed ?? 0;
  if (!Number.isInteger(s)) throw new NnError("INVALID_ARGUMENT", `seed must be an integer, got ${s}`);
  return s;
}
