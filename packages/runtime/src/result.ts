import { RuntimeError } from "./errors.js";
import { softmaxInto } from "./float-steps.js";

/** One entry of a top-k list. */
export interface TopEntry {
  /** Class index. */
  readonly index: number;
  /** The model's label of that class, when its metadata has labels. */
  readonly label: string | undefined;
  readonly probability: number;
  readonly logit: number;
}

/** The result of `run` for a batch. */
export interface RunResult {
  readonly batch: number;
  /** `[batch, …outputInfo.shape]`. */
  readonly shape: readonly number[];
  /**
   * The model's scores before softmax (`batch × classes`, row-major); for a model whose output is
   * not a class-score vector, its final values (bits as ±1).
   */
  readonly logits: Float32Array;
  /** Classes when the output is a vector of class scores (a classifier), else undefined. */
  readonly classes: number | undefined;
  /**
   * softmax(logits) per sample — classifiers only: reading it on another model throws RuntimeError
   * "NOT_A_CLASSIFIER" (check `classes` first when the model may not be a classifier).
   */
  readonly probabilities: Float32Array;
  /**
   * The predicted class of each sample (the graph's argmax: lowest index on ties) — classifiers
   * only, like `probabilities`.
   */
  readonly predictions: Int32Array;
  /** The k most probable classes of `sample` (default 0), best first — classifiers only. */
  top(k: number, sample?: number): TopEntry[];
}

/** Index of the largest of n values at `at` (the lowest index on ties). */
export function argmax(values: Float32Array, at: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (values[at + i]! > values[at + best]!) best = i;
  return best;
}

function notAClassifier(what: string): RuntimeError {
  return new RuntimeError(
    "NOT_A_CLASSIFIER",
    `${what}: the model's output is not a vector of class scores (result.classes is undefined); read result.logits`,
  );
}

/**
 * A run's result. Probabilities and predictions are worked out from the logits on first read (a
 * caller that wants only the logits, as benchmarks and feature extractors do, does not pay for
 * them); reading them after changing `logits` in place gives those of the changed values.
 */
export class BatchResult implements RunResult {
  private p: Float32Array | undefined;
  private pred: Int32Array | undefined;

  constructor(
    readonly batch: number,
    readonly shape: readonly number[],
    readonly logits: Float32Array,
    /** Class count when the output is a score vector. */
    readonly classes: number | undefined,
    private readonly labels: readonly string[] | undefined,
    /** The graph's argmax reads probabilities (it follows a softmax) rather than logits. */
    private readonly argmaxOfProbabilities: boolean,
  ) {}

  get probabilities(): Float32Array {
    const n = this.classes;
    if (n === undefined) throw notAClassifier("probabilities");
    if (!this.p) {
      const p = new Float32Array(this.logits.length);
      for (let b = 0; b < this.batch; b++) softmaxInto(this.logits, b * n, p, b * n, n);
      this.p = p;
    }
    return this.p;
  }

  get predictions(): Int32Array {
    const n = this.classes;
    if (n === undefined) throw notAClassifier("predictions");
    if (!this.pred) {
      const scores = this.argmaxOfProbabilities ? this.probabilities : this.logits;
      const pred = new Int32Array(this.batch);
      for (let b = 0; b < this.batch; b++) pred[b] = argmax(scores, b * n, n);
      this.pred = pred;
    }
    return this.pred;
  }

  top(k: number, sample = 0): TopEntry[] {
    const n = this.classes;
    if (n === undefined) throw notAClassifier("top(k)");
    if (!Number.isInteger(k) || k < 1)
      throw new RuntimeError("INVALID_ARGUMENT", `top(k): k must be a positive integer, got ${k}`);
    if (!Number.isInteger(sample) || sample < 0 || sample >= this.batch) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `top(k, sample): sample ${sample} is outside the batch of ${this.batch}`,
      );
    }
    const at = sample * n;
    const probabilities = this.probabilities;
    const order = Array.from({ length: n }, (_, i) => i);
    // Stable sort: equal scores keep the lower index first, like argmax.
    order.sort((a, b) => this.logits[at + b]! - this.logits[at + a]!);
    return order.slice(0, Math.min(k, n)).map((index) => ({
      index,
      label: this.labels?.[index],
      probability: probabilities[at + index]!,
      logit: this.logits[at + index]!,
    }));
  }
}
