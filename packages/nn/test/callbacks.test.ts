import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@onebit/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { stateBits } from "./helpers.js";
import {
  adam,
  batchNorm,
  countTopK,
  dense,
  type EpochLog,
  earlyStopping,
  type FitCallbacks,
  reduceLearningRateOnPlateau,
  sequential,
  sgd,
} from "../src/index.js";
import { bestCheckpointCallback, loadCheckpoint } from "../src/node.js";

const dir = mkdtempSync(join(tmpdir(), "nn-callbacks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = rng.uniformArray(n * 6, -1, 1);
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * 6]! > 0 ? (x[i * 6 + 1]! > 0 ? 2 : 1) : 0));
  return { x, y };
}
const net = (seed = 1) => sequential([dense(12), batchNorm(), dense(3)], { inputShape: [6], seed });
const bits = stateBits;

/** Records every epoch's log and weights. */
function recorder() {
  const logs: EpochLog[] = [];
  const states: Record<string, Float32Array>[] = [];
  const cb: FitCallbacks = {
    onEpochEnd(log, ctx) {
      logs.push(log);
      states.push(ctx.model.getState());
    },
  };
  return { logs, states, cb };
}

describe("validationSplit and top-k", () => {
  it("holds out the last samples as validation data, before shuffling", async () => {
    const d = data(200, 1);
    const m = net();
    const h = await m.fit(d, {
      epochs: 2,
      batchSize: 20,
      optimizer: adam({ learningRate: 0.01 }),
      validationSplit: 0.25,
      topK: 2,
      verbose: 0,
    });
    const last = h.epochs.at(-1)!;
    const held = { x: d.x.subarray(150 * 6), y: d.y.subarray(150) };
    const ev = m.evaluate(held, { topK: 2 });
    expect(last.valLoss).toBe(ev.loss);
    expect(last.valAccuracy).toBe(ev.accuracy);
    expect(last.valTopKAccuracy).toBe(ev.topKAccuracy);
    // Training saw 150 samples: 8 steps of 20 per epoch.
    const steps: number[] = [];
    await net().fit(d, {
      epochs: 1,
      batchSize: 20,
      optimizer: adam(),
      validationSplit: 0.25,
      verbose: 0,
      callbacks: { onBatchEnd: (b) => steps.push(b.size) },
    });
    expect(steps.reduce((a, b) => a + b, 0)).toBe(150);
    for (const bad of [0, 1, -0.5, Number.NaN]) {
      await expect(
        net().fit(d, { epochs: 1, optimizer: adam(), validationSplit: bad, verbose: 0 }),
      ).rejects.toThrowError(/validationSplit/);
    }
    await expect(
      net().fit(d, { epochs: 1, optimizer: adam(), validationSplit: 0.2, validation: d, verbose: 0 }),
    ).rejects.toThrowError(/fixed dataset and no validation/);
  });

  it("countTopK matches a sort-based reference; top-k over every class is 1", () => {
    const rng = new Rng(4);
    for (let trial = 0; trial < 20; trial++) {
      const classes = 2 + rng.int(8);
      const batch = 1 + rng.int(20);
      const k = 1 + rng.int(classes);
      const out = rng.uniformArray(batch * classes, -1, 1);
      const labels = Int32Array.from({ length: batch }, () => rng.int(classes));
      let expected = 0;
      for (let r = 0; r < batch; r++) {
        const row = Array.from(out.subarray(r * classes, (r + 1) * classes));
        const order = row.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0]);
        if (order.slice(0, k).some(([, j]) => j === labels[r])) expected++;
      }
      expect(countTopK(out, labels, batch, classes, k)).toBe(expected);
    }
    const m = net();
    expect(m.evaluate(data(50, 2), { topK: 3 }).topKAccuracy).toBe(1);
    expect(() => m.evaluate(data(5, 2), { topK: 4 })).toThrowError(/topK/);
  });
});

describe("callbacks", () => {
  it("earlyStopping stops after `patience` epochs without improvement", async () => {
    const d = data(60, 3);
    const h = await net().fit(d, {
      epochs: 20,
      optimizer: sgd({ learningRate: 0 }),
      validation: d,
      verbose: 0,
      callbacks: earlyStopping({ patience: 2 }),
    });
    expect(h.epochs).toHaveLength(4);
    await expect(
      net().fit(d, {
        epochs: 2,
        optimizer: adam(),
        verbose: 0,
        callbacks: earlyStopping({ monitor: "valLoss" }),
      }),
    ).rejects.toThrowError(/valLoss/);
  });

  it("earlyStopping with restoreBestWeights ends with the best epoch's weights", async () => {
    const train = data(120, 5);
    const val = data(40, 6);
    const rec = recorder();
    const m = net(2);
    await m.fit(train, {
      epochs: 8,
      batchSize: 10,
      optimizer: adam({ learningRate: 0.2 }),
      validation: val,
      verbose: 0,
      callbacks: [rec.cb, earlyStopping({ patience: 8, restoreBestWeights: true })],
    });
    const losses = rec.logs.map((l) => l.valLoss!);
    const best = losses.indexOf(Math.min(...losses));
    expect(bits(m.getState())).toEqual(bits(rec.states[best]!));
  });

  it("reduceLearningRateOnPlateau multiplies the rate after `patience` flat epochs, not below the minimum", async () => {
    const d = data(60, 7);
    const optimizer = sgd({ learningRate: 1e-9 });
    await net().fit(d, {
      epochs: 5,
      optimizer,
      validation: d,
      verbose: 0,
      callbacks: reduceLearningRateOnPlateau({ patience: 1, factor: 0.5, minDelta: 1 }),
    });
    expect(optimizer.learningRate).toBeCloseTo(0.25e-9, 20);
    const floor = sgd({ learningRate: 1e-9 });
    await net().fit(d, {
      epochs: 5,
      optimizer: floor,
      validation: d,
      verbose: 0,
      callbacks: reduceLearningRateOnPlateau({
        patience: 0,
        factor: 0.1,
        minDelta: 1,
        minLearningRate: 5e-11,
      }),
    });
    expect(floor.learningRate).toBe(5e-11);
    expect(() => reduceLearningRateOnPlateau({ factor: 1 })).toThrowError(/factor/);
  });

  it("bestCheckpointCallback keeps the checkpoint of the best epoch", async () => {
    const train = data(120, 8);
    const val = data(40, 9);
    const rec = recorder();
    const path = join(dir, "best.safetensors");
    const m = net(3);
    await m.fit(train, {
      epochs: 6,
      batchSize: 10,
      optimizer: adam({ learningRate: 0.2 }),
      validation: val,
      verbose: 0,
      callbacks: [rec.cb, bestCheckpointCallback(path, { monitor: "valAccuracy" })],
    });
    const acc = rec.logs.map((l) => l.valAccuracy!);
    const best = acc.indexOf(Math.max(...acc));
    const restored = net(99);
    expect((await loadCheckpoint(path, restored)).epoch).toBe(best + 1);
    expect(bits(restored.getState())).toEqual(bits(rec.states[best]!));
  });
});
