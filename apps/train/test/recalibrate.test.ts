import { BatchNorm } from "@onebit/nn";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../src/config.js";
import { loadMnistSplits, normalizeBytes, type Split } from "../src/data.js";
import { recalibrateBatchNorm } from "../src/recalibrate.js";
import { createTrainerState } from "../src/trainer.js";

let train: Split;
beforeAll(async () => {
  train = (await loadMnistSplits({ limit: 60, testLimit: 1 })).train;
});

/** Per-channel mean and biased variance of channels-last values, in float64. */
function channelStats(v: Float32Array, channels: number) {
  const mean = new Float64Array(channels);
  const sq = new Float64Array(channels);
  const rows = v.length / channels;
  for (let i = 0; i < v.length; i++) {
    mean[i % channels]! += v[i]!;
    sq[i % channels]! += v[i]! * v[i]!;
  }
  return Array.from(mean, (s, c) => ({ mean: s / rows, variance: sq[c]! / rows - (s / rows) ** 2 }));
}

describe("recalibrateBatchNorm", () => {
  it("sets each BatchNorm's statistics to those of the batches it sees", () => {
    const config = resolveConfig("mnist-tiny", { width: 0.5, seed: 3 });
    const { model } = createTrainerState(config);
    const bn = model.layers[1] as BatchNorm;
    expect(bn).toBeInstanceOf(BatchNorm);
    // One batch holding the whole split: every batch (in any order) has the same statistics.
    recalibrateBatchNorm(model, train, { batches: 4, batchSize: train.count, augment: 0, seed: 1 });
    const x = normalizeBytes(train.images);
    const conv = model.layers[0]!.forward(x, train.count, { training: true });
    const expected = channelStats(conv, bn.movingMean.length);
    expected.forEach((e, c) => {
      expect(bn.movingMean[c]).toBeCloseTo(e.mean, 2);
      expect(Math.abs(bn.movingVariance[c]! - e.variance) / e.variance).toBeLessThan(1e-3);
    });
    for (const l of model.layers)
      if (l instanceof BatchNorm) for (const v of l.movingVariance) expect(v).toBeGreaterThan(0);
  });

  it("is deterministic and leaves the weights alone", () => {
    const config = resolveConfig("mnist-tiny", { width: 0.5, seed: 3 });
    const a = createTrainerState(config).model;
    const b = createTrainerState(config).model;
    const weights = a.params().map((p) => p.value.slice());
    const opts = { batches: 3, batchSize: 20, augment: 2, seed: 9 };
    recalibrateBatchNorm(a, train, opts);
    recalibrateBatchNorm(b, train, opts);
    expect(a.getState()).toEqual(b.getState());
    a.params().forEach((p, i) => {
      expect(p.value).toEqual(weights[i]);
    });
  });
});
