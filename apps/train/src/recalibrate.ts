import { shiftAugment } from "@onebit/datasets";
import { BatchNorm, type Model } from "@onebit/nn";
import { Rng } from "@onebit/tensor";
import { normalizeBytes, type Split } from "./data.js";

/**
 * Re-estimates every BatchNorm's moving statistics for the final weights: the mean of the batch
 * statistics over `batches` training-mode forward passes (no weight update), batches drawn and
 * augmented as in training. While the learning rate is high the weights of a binary net change
 * faster than an exponential moving average with momentum 0.99 follows, so the moving statistics
 * that evaluation (and the exported thresholds) use can lag the weights; this replaces them with
 * statistics of the model as it is. Deterministic given `seed`.
 */
export function recalibrateBatchNorm(
  model: Model,
  train: Split,
  options: { batches: number; batchSize: number; augment: number; seed: number },
): void {
  const norms = model.layers.filter((l): l is BatchNorm => l instanceof BatchNorm);
  if (norms.length === 0 || options.batches < 1) return;
  const rng = new Rng(options.seed ^ 0x3c6ef372);
  const size = train.size;
  const side = Math.round(Math.sqrt(size));
  const bs = Math.min(options.batchSize, train.count);
  const raw = new Uint8Array(bs * size);
  const shifted = new Uint8Array(bs * size);
  const x = new Float32Array(bs * size);
  const sums = norms.map((n) => ({
    mean: new Float64Array(n.movingMean.length),
    variance: new Float64Array(n.movingMean.length),
  }));
  let order = rng.permutation(train.count);
  let next = 0;
  for (let b = 0; b < options.batches; b++) {
    if (next + bs > train.count) {
      order = rng.permutation(train.count);
      next = 0;
    }
    for (let i = 0; i < bs; i++) {
      const s = order[next + i]!;
      raw.set(train.images.subarray(s * size, (s + 1) * size), i * size);
    }
    next += bs;
    const bytes =
      options.augment > 0 ? shiftAugment(raw, bs, side, side, options.augment, rng, { out: shifted }) : raw;
    const before = norms.map((n) => ({ mean: n.movingMean.slice(), variance: n.movingVariance.slice() }));
    model.forward(normalizeBytes(bytes, x), bs, true, rng);
    // The layer folded this batch in as moving = m·moving + (1 − m)·batch; recover the batch values.
    norms.forEach((n, k) => {
      const m = n.momentum;
      for (let j = 0; j < n.movingMean.length; j++) {
        sums[k]!.mean[j]! += (n.movingMean[j]! - m * before[k]!.mean[j]!) / (1 - m);
        sums[k]!.variance[j]! += (n.movingVariance[j]! - m * before[k]!.variance[j]!) / (1 - m);
      }
    });
  }
  norms.forEach((n, k) => {
    for (let j = 0; j < n.movingMean.length; j++) {
      n.movingMean[j] = sums[k]!.mean[j]! / options.batches;
      n.movingVariance[j] = Math.max(0, sums[k]!.variance[j]! / options.batches);
    }
  });
}
