import { Rng } from "@onebit/tensor";
import { describe, expect, it } from "vitest";
import {
  adam,
  batchNorm,
  binaryConv2d,
  binaryDense,
  bop,
  cosineDecay,
  dense,
  dropout,
  flatten,
  maxPool2d,
  multiOptimizer,
  NnError,
  sequential,
  sign,
} from "../src/index.js";

/** XOR of the signs of the first two features (others are noise): not linearly separable. */
function xorData(n: number, features: number, seed: number) {
  const rng = new Rng(seed);
  const x = rng.uniformArray(n * features, -1, 1);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i * features]! * x[i * features + 1]! > 0 ? 1 : 0;
  return { x, y };
}

function binaryMlp(seed: number, features = 10) {
  return sequential(
    [
      dense(64),
      batchNorm(),
      sign(),
      binaryDense(64),
      batchNorm(),
      dropout(0.1),
      sign(),
      binaryDense(2),
      batchNorm(),
    ],
    { inputShape: [features], seed },
  );
}

describe("sequential training", () => {
  it("a binary MLP learns an XOR-like task far above chance; latent weights stay in [−1, 1]", async () => {
    const train = xorData(1200, 10, 1);
    const test = xorData(400, 10, 2);
    const model = binaryMlp(5);
    const history = await model.fit(train, {
      epochs: 15,
      batchSize: 50,
      optimizer: adam({ learningRate: 0.01 }),
      schedule: cosineDecay({ initial: 0.01 }),
      validation: test,
      verbose: 0,
    });
    expect(history.epochs).toHaveLength(15);
    const last = history.epochs.at(-1)!;
    expect(last.valAccuracy).toBeGreaterThan(0.85);
    expect(last.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(last.samplesPerSecond).toBeGreaterThan(0);
    expect(last.learningRate).toBeLessThan(0.001);
    expect(model.evaluate(test).accuracy).toBeCloseTo(last.valAccuracy!, 10);
    for (const p of model.params()) {
      if (p.kind === "binary") expect(p.value.every((v) => v >= -1 && v <= 1)).toBe(true);
    }
  });

  it("squared hinge loss, Bop for the binary weights and Adam for the rest learn a linear task", async () => {
    const rng = new Rng(3);
    const n = 800;
    const x = rng.uniformArray(n * 8, -1, 1);
    const y = Int32Array.from({ length: n }, (_, i) => (x[i * 8]! + 0.5 * x[i * 8 + 3]! > 0 ? 1 : 0));
    const model = sequential(
      [dense(32), batchNorm(), sign(), binaryDense(64), batchNorm(), sign(), binaryDense(2), batchNorm()],
      { inputShape: [8], seed: 1 },
    );
    model.compile({
      loss: "squaredHinge",
      optimizer: multiOptimizer({
        binary: bop({ threshold: 1e-8, gamma: 1e-3 }),
        other: adam({ learningRate: 0.01 }),
      }),
    });
    await model.fit({ x, y }, { epochs: 10, batchSize: 40, verbose: 0 });
    expect(model.evaluate({ x, y }).accuracy).toBeGreaterThan(0.9);
    for (const p of model.params().filter((q) => q.kind === "binary")) {
      expect(p.value.every((v) => v === 1 || v === -1)).toBe(true);
    }
  });

  it("trains a small binary ConvNet end to end (one-padding, pooling, flatten)", async () => {
    const rng = new Rng(9);
    const n = 120;
    // Class 1: bright left half; class 0: bright right half; plus noise.
    const x = new Float32Array(n * 8 * 8);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let p = 0; p < 64; p++) {
        const left = p % 8 < 4;
        x[i * 64 + p] = (left === (y[i] === 1) ? 0.8 : -0.8) + rng.uniform(-0.5, 0.5);
      }
    }
    const model = sequential(
      [
        binaryConv2d(8, 3, { padding: "same" }),
        batchNorm(),
        maxPool2d(),
        binaryConv2d(8, 3, { padding: "same", inputQuantizer: "steSign" }),
        batchNorm(),
        flatten(),
        binaryDense(2, { inputQuantizer: "steSign" }),
        batchNorm(),
      ],
      { inputShape: [8, 8, 1], seed: 2 },
    );
    await model.fit(
      { x, y },
      { epochs: 8, batchSize: 20, optimizer: adam({ learningRate: 0.01 }), verbose: 0 },
    );
    expect(model.evaluate({ x, y }).accuracy).toBeGreaterThan(0.9);
  });
});

describe("determinism", () => {
  it("the same seed gives the same weights bit for bit, before and after training", async () => {
    const data = xorData(300, 10, 4);
    const run = async (seed: number) => {
      const m = binaryMlp(seed);
      const init = m.getState();
      await m.fit(data, { epochs: 2, batchSize: 32, optimizer: adam({ learningRate: 0.01 }), verbose: 0 });
      return { init, trained: m.getState() };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    const bits = (s: Record<string, Float32Array>) =>
      Object.entries(s).map(([k, v]) => [k, Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length))]);
    expect(bits(b.init)).toEqual(bits(a.init));
    expect(bits(b.trained)).toEqual(bits(a.trained));
    expect(bits(c.init)).not.toEqual(bits(a.init));
  });
});

describe("batchNorm modes", () => {
  it("training mode normalizes with batch statistics and updates running ones; evaluation uses running ones", () => {
    const model = sequential([batchNorm({ momentum: 0.5, epsilon: 1e-5 })], { inputShape: [2], seed: 0 });
    const bn = model.layers[0] as ReturnType<typeof batchNorm>;
    const x = Float32Array.of(1, 10, 3, 20, 5, 30);
    const y = model.forward(x, 3, true);
    // Feature 0: mean 3, biased variance 8/3.
    expect(y[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3 + 1e-5), 5);
    expect(y[2]).toBeCloseTo(0, 6);
    expect(bn.movingMean[0]).toBeCloseTo(1.5, 6);
    expect(bn.movingVariance[0]).toBeCloseTo(0.5 + 0.5 * (8 / 3), 5);
    const e = model.forward(Float32Array.of(1.5, 10), 1, false);
    expect(e[0]).toBeCloseTo(0, 6);
    expect(e[1]).toBeCloseTo((10 - 10) / Math.sqrt(0.5 + 0.5 * (200 / 3) + 1e-5), 5);
    const before = bn.movingMean.slice();
    model.forward(x, 3, false);
    expect(Array.from(bn.movingMean)).toEqual(Array.from(before));
  });
});

describe("batchNorm statistics", () => {
  it("normalizes integer-valued pre-activations with a large offset to zero mean and unit variance", () => {
    const model = sequential([batchNorm({ epsilon: 1e-6 })], { inputShape: [2, 2, 3], seed: 0 });
    const rng = new Rng(1);
    const x = Float32Array.from({ length: 64 * 12 }, () => 4000 + rng.int(31) - 15);
    const y = model.forward(x, 64, true);
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let s2 = 0;
      for (let i = c; i < y.length; i += 3) {
        s += y[i]!;
        s2 += y[i]! * y[i]!;
      }
      const n = y.length / 3;
      expect(Math.abs(s / n)).toBeLessThan(1e-5);
      expect(s2 / n).toBeCloseTo(1, 4);
    }
  });
});

describe("state and errors", () => {
  it("getState / setState restore weights and running statistics exactly", () => {
    const a = binaryMlp(1);
    const b = binaryMlp(2);
    b.setState(a.getState());
    const x = new Rng(1).uniformArray(50, -1, 1);
    expect(Array.from(b.predict(x))).toEqual(Array.from(a.predict(x)));
    const state = a.getState();
    delete state["batch_norm_1/moving_mean"];
    expect(() => b.setState(state)).toThrowError(expect.objectContaining({ code: "STATE_MISMATCH" }));
  });

  it("bad shapes, NaN, labels and options raise NnError with a code", async () => {
    const model = binaryMlp(1);
    const opt = adam();
    const fit = (data: { x: Float32Array; y: ArrayLike<number> }, extra = {}) =>
      model.fit(data, { epochs: 1, optimizer: opt, verbose: 0, ...extra });
    await expect(fit({ x: new Float32Array(25), y: [0, 1] })).rejects.toMatchObject({
      code: "SHAPE_MISMATCH",
    });
    const nan = new Float32Array(20);
    nan[13] = Number.NaN;
    await expect(fit({ x: nan, y: [0, 1] })).rejects.toThrowError(/sample 1, feature 3/);
    await expect(fit({ x: new Float32Array(20), y: [0, 2] })).rejects.toMatchObject({
      code: "INVALID_LABEL",
    });
    await expect(fit({ x: new Float32Array(20), y: [0, 1.5] })).rejects.toMatchObject({
      code: "INVALID_LABEL",
    });
    await expect(fit({ x: new Float32Array(20), y: [0, 1] }, { batchSize: 0 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(
      model.fit({ x: new Float32Array(20), y: [0, 1] }, { epochs: 1, verbose: 0 }),
    ).rejects.toMatchObject({
      code: "NOT_COMPILED",
    });
    expect(() => model.predict(new Float32Array(15))).toThrowError(NnError);
    expect(() => sequential([], { inputShape: [3] })).toThrowError(/non-empty/);
    expect(() => sequential([dense(2)], { inputShape: [0] })).toThrowError(/positive integers/);
  });

  it("a loss that becomes NaN stops training with NON_FINITE naming the batch", async () => {
    const model = sequential([dense(2)], { inputShape: [1], seed: 0 });
    const x = Float32Array.of(1e30, -1e30);
    const run = model.fit(
      { x, y: [1, 0] },
      { epochs: 1, batchSize: 1, shuffle: false, optimizer: adam({ learningRate: 1e38 }), verbose: 0 },
    );
    await expect(run).rejects.toMatchObject({ code: "NON_FINITE" });
    await expect(run).rejects.toThrowError(/the loss became (NaN|Infinity) at epoch 0, batch 1/);
  });
});

describe("per-epoch data", () => {
  it("draws each epoch's samples from a provider with the training generator, reproducibly", async () => {
    const base = xorData(200, 10, 8);
    const calls: number[] = [];
    const provider = (epoch: number, rng: Rng) => {
      calls.push(epoch);
      // "Augmentation": jitter every value with the training generator.
      return { x: base.x.map((v) => v + rng.uniform(-0.05, 0.05)), y: base.y };
    };
    const run = async () => {
      const m = binaryMlp(3);
      await m.fit(provider, { epochs: 3, batchSize: 50, optimizer: adam(), verbose: 0 });
      return Array.from(m.params()[0]!.value);
    };
    const a = await run();
    expect(calls).toEqual([0, 1, 2]);
    expect(await run()).toEqual(a);
    const m = binaryMlp(3);
    let k = 0;
    await expect(
      m.fit(() => xorData(k++ === 0 ? 100 : 90, 10, 1), { epochs: 2, optimizer: adam(), verbose: 0 }),
    ).rejects.toThrowError(/epoch 1 holds 90 samples/);
  });
});
