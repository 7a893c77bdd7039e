import { argmaxRows } from "@onebit/tensor";
import { NnError } from "./errors.js";

/**
 * A classification loss over a batch of outputs [batch, classes] and integer labels. `compute`
 * returns the mean loss over the batch and writes ∂(mean loss)/∂output into `grad`.
 */
export interface Loss {
  readonly name: string;
  compute(
    output: Float32Array,
    labels: Int32Array,
    batch: number,
    classes: number,
    grad: Float32Array,
  ): number;
}

/** Softmax cross-entropy on logits: −log softmax(z)[y], averaged over the batch. */
export function softmaxCrossEntropy(): Loss {
  return {
    name: "softmaxCrossEntropy",
    compute(output, labels, batch, classes, grad) {
      let total = 0;
      for (let r = 0; r < batch; r++) {
        const o = r * classes;
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < classes; j++) if (output[o + j]! > max) max = output[o + j]!;
        let sum = 0;
        for (let j = 0; j < classes; j++) sum += Math.exp(output[o + j]! - max);
        const logSum = Math.log(sum) + max;
        const y = labels[r]!;
        total += logSum - output[o + y]!;
        for (let j = 0; j < classes; j++) {
          grad[o + j] = (Math.exp(output[o + j]! - logSum) - (j === y ? 1 : 0)) / batch;
        }
      }
      return total / batch;
    },
  };
}

/**
 * The BNN paper's squared hinge loss: mean over batch and classes of max(0, 1 − t·z)² with targets
 * t = +1 for the true class and −1 elsewhere.
 */
export function squaredHinge(): Loss {
  return {
    name: "squaredHinge",
    compute(output, labels, batch, classes, grad) {
      let total = 0;
      const scale = 2 / (batch * classes);
      for (let r = 0; r < batch; r++) {
        const o = r * classes;
        const y = labels[r]!;
        for (let j = 0; j < classes; j++) {
          const t = j === y ? 1 : -1;
          const m = 1 - t * output[o + j]!;
          if (m > 0) {
            total += m * m;
            grad[o + j] = -t * m * scale;
          } else grad[o + j] = 0;
        }
      }
      return total / (batch * classes);
    },
  };
}

export type LossName = "softmaxCrossEntropy" | "squaredHinge";
export type LossLike = Loss | LossName;

export function resolveLoss(loss: LossLike): Loss {
  if (typeof loss === "object") return loss;
  if (loss === "softmaxCrossEntropy") return softmaxCrossEntropy();
  if (loss === "squaredHinge") return squaredHinge();
  throw new NnError("INVALID_ARGUMENT", `unknown loss "${String(loss)}"`);
}

/** Number of rows whose largest output (first on ties) is the label. */
export function countCorrect(
  output: Float32Array,
  labels: Int32Array,
  batch: number,
  classes: number,
): number {
  const predicted = argmaxRows(output.subarray(0, batch * classes), batch, classes);
  let correct = 0;
  for (let r = 0; r < batch; r++) if (predicted[r] === labels[r]) correct++;
  return correct;
}

/** Number of rows whose label is among the `k` largest outputs (ties with the label's value count as above it). */
export function countTopK(
  output: Float32Array,
  labels: Int32Array,
  batch: number,
  classes: number,
  k: number,
): number {
  let hits = 0;
  for (let r = 0; r < batch; r++) {
    const o = r * classes;
    const mine = output[o + labels[r]!]!;
    let above = 0;
    for (let j = 0; j < classes; j++) if (j !== labels[r] && !(output[o + j]! < mine)) above++;
    if (above < k) hits++;
  }
  return hits;
}
