import { readModel, writeModel } from "@onebit/format";
import {
  BatchNorm,
  adam,
  batchNorm,
  binaryConv2d,
  binaryDense,
  dense,
  dropout,
  exportModel,
  flatten,
  hardTanh,
  magnitudeAwareSign,
  maxPool2d,
  runReference,
  type Sequential,
  sequential,
  sign,
} from "@onebit/nn";
import { describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { Rng } from "./random-models.js";

// Models trained (briefly) and exported by @onebit/nn: the engine must predict what the trained
// model predicts in evaluation mode, logits within float32 rounding, and equal nn's own reference
// interpreter of the exported graph.

async function trainBriefly(model: Sequential, x: Float32Array, rng: Rng): Promise<void> {
  const n = x.length / model.layers[0]!.inputSize;
  const y = Int32Array.from({ length: n }, () => rng.int(0, model.classes - 1));
  await model.fit(
    { x, y },
    { epochs: 2, batchSize: 16, optimizer: adam({ learningRate: 0.02 }), verbose: 0 },
  );
}

/** Some decreasing (γ < 0) and constant (γ = 0) BatchNorm channels, as real training produces. */
function perturbBatchNorms(model: Sequential): void {
  for (const l of model.layers) {
    if (!(l instanceof BatchNorm) || !l.params().length) continue;
    const gamma = l.params().find((p) => p.name.endsWith("gamma"))!.value;
    const beta = l.params().find((p) => p.name.endsWith("beta"))!.value;
    for (let c = 0; c < gamma.length; c++) {
      if (c % 4 === 1) gamma[c] = -Math.abs(gamma[c]!) - 0.1;
      if (c % 7 === 3) {
        gamma[c] = 0;
        beta[c] = c % 2 ? 0.5 : -0.5;
      }
    }
  }
}

function argmaxes(v: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length / classes; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (v[i * classes + j]! > v[i * classes + best]!) best = j;
    out.push(best);
  }
  return out;
}

/** Checks predictions (every sample, unless its top two model logits are within rounding) and logits. */
function expectEquivalent(
  model: Sequential,
  engine: Engine,
  raw: Float32Array | Uint8Array,
  normalized: Float32Array,
): void {
  const classes = model.classes;
  const expected = model.predict(normalized);
  const n = expected.length / classes;
  for (const batch of [1, 7, n]) {
    const got = engine.runSync(raw.subarray(0, batch * engine.inputInfo.size));
    let maxDiff = 0;
    for (let i = 0; i < got.logits.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(got.logits[i]! - expected[i]!));
    expect(maxDiff, `batch ${batch}: largest logit difference`).toBeLessThan(1e-3);
    const mine = argmaxes(expected.subarray(0, batch * classes), classes);
    got.predictions!.forEach((p, i) => {
      const row = Array.from(expected.subarray(i * classes, (i + 1) * classes)).sort((a, b) => b - a);
      if (row[0]! - row[1]! > 1e-4) expect(p, `sample ${i}`).toBe(mine[i]);
    });
  }
}

describe("equivalence with @onebit/nn exports", () => {
  it("an MLP (float first layer, γ < 0 and γ = 0 channels, float-threshold sign)", async () => {
    const rng = new Rng(1);
    const model = sequential(
      [
        dense(48),
        batchNorm(),
        sign(),
        dropout(0.2),
        binaryDense(40),
        batchNorm(),
        hardTanh(),
        sign(),
        binaryDense(33, { useBias: true }),
        batchNorm({ epsilon: 1e-4 }),
        binaryDense(10, { inputQuantizer: "steSign" }),
        batchNorm(),
      ],
      { inputShape: [20], seed: 3 },
    );
    await trainBriefly(model, rng.uniform(400 * 20), rng);
    perturbBatchNorms(model);
    const exported = readModel(writeModel(exportModel(model, { name: "mlp" })));
    const engine = Engine.createSync(exported);
    const x = rng.uniform(61 * 20, -1.2, 1.2);
    expectEquivalent(model, engine, x, x);
    const ref = runReference(exported, x, 61);
    expect(engine.runSync(x).logits).toEqual(ref.data);
  });

  it("a ConvNet (one-padding, pools before and after BatchNorm, strided conv, float last layer)", async () => {
    const rng = new Rng(5);
    const model = sequential(
      [
        binaryConv2d(8, 3, { padding: "same" }),
        maxPool2d(),
        batchNorm(),
        binaryConv2d(12, 3, {
          padding: "same",
          inputQuantizer: "steSign",
          kernelQuantizer: magnitudeAwareSign(),
        }),
        batchNorm(),
        sign(),
        maxPool2d(),
        binaryConv2d(8, [2, 3], { strides: [1, 2], inputQuantizer: "steSign" }),
        batchNorm(),
        flatten(),
        binaryDense(16, { inputQuantizer: "steSign" }),
        batchNorm(),
        sign(),
        dense(5),
      ],
      { inputShape: [12, 12, 2], seed: 4 },
    );
    await trainBriefly(model, rng.uniform(96 * 288), rng);
    perturbBatchNorms(model);
    const exported = readModel(writeModel(exportModel(model, { output: "softmax" })));
    expect(exported.graph.nodes.map((n) => n.op)).toContain("binaryConv2d");
    const engine = Engine.createSync(exported);
    const x = rng.uniform(33 * 288);
    expectEquivalent(model, engine, x, x);
    // The graph's softmax output is what nn's reference computes; ours comes from the same logits.
    const ref = runReference(exported, x, 33);
    const probs = engine.runSync(x).probabilities!;
    for (let i = 0; i < probs.length; i++) expect(probs[i]).toBeCloseTo(ref.data[i]!, 6);
  });

  it("a bit-plane first layer over raw bytes: exact against nn's reference, ≈ the float model", async () => {
    const rng = new Rng(8);
    const model = sequential([binaryDense(24), batchNorm(), sign(), binaryDense(6), batchNorm()], {
      inputShape: [50],
      seed: 1,
    });
    const norm = { scale: 2 / 255, offset: -1 };
    const f = Math.fround;
    const bytes = rng.bytes(300 * 50);
    const normalized = Float32Array.from(bytes, (v) => f(f(v * norm.scale) + norm.offset));
    await trainBriefly(model, normalized, rng);
    perturbBatchNorms(model);
    const exported = readModel(
      writeModel(
        exportModel(model, {
          inputDtype: "uint8",
          inputNormalization: norm,
          firstLayer: "bitPlane",
          output: "argmax",
        }),
      ),
    );
    expect(exported.graph.nodes[1]!.op).toBe("denseBitPlane");
    const engine = Engine.createSync(exported);
    const got = engine.runSync(bytes);
    expect(Array.from(got.predictions!)).toEqual(Array.from(runReference(exported, bytes, 300).data));
    const agree = argmaxes(model.predict(normalized), 6).filter((p, i) => p === got.predictions![i]).length;
    // The trained model's float32 first-layer dot differs from the exact integer one by rounding only.
    expect(agree / 300).toBeGreaterThan(0.98);
  });
});
