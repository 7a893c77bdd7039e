import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@onebit/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { stateBits } from "./helpers.js";
import {
  adam,
  batchNorm,
  biRealBlock,
  binaryConv2d,
  binaryDense,
  conv2d,
  decodeModel,
  dense,
  depthwiseConv2d,
  dropout,
  encodeCheckpoint,
  encodeModel,
  flatten,
  GraphModel,
  globalAvgPool2d,
  input,
  magnitudeAwareSign,
  maxPool2d,
  model,
  reactNetBlock,
  Sequential,
  sequential,
  sign,
  steSign,
  weightClip,
} from "../src/index.js";
import { loadModel, saveModel } from "../src/node.js";

const dir = mkdtempSync(join(tmpdir(), "nn-model-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bits = stateBits;

function images(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = rng.uniformArray(n * 8 * 8 * 2, -1, 1);
  return { x, y: Int32Array.from({ length: n }, (_, i) => (x[i * 128]! > 0 ? 1 : 0)) };
}

async function trained<M extends Sequential | GraphModel>(m: M) {
  const optimizer = adam({ learningRate: 0.01 });
  await m.fit(images(64, 1), { epochs: 1, batchSize: 16, optimizer, verbose: 0 });
  return { m, optimizer };
}

describe("saved models (architecture + weights)", () => {
  it("a sequential model round-trips: same layers, weights, predictions and optimizer state", async () => {
    const { m, optimizer } = await trained(
      sequential(
        [
          conv2d(4, 3, { padding: "same" }),
          batchNorm({ momentum: 0.9 }),
          sign(),
          binaryConv2d(4, 3, { padding: "same", kernelQuantizer: magnitudeAwareSign(0.5) }),
          maxPool2d(),
          flatten(),
          dropout(0.2),
          binaryDense(2, { inputQuantizer: steSign(), kernelConstraint: weightClip(0.5) }),
          batchNorm(),
        ],
        { inputShape: [8, 8, 2], seed: 3, name: "seq" },
      ),
    );
    const path = join(dir, "seq.safetensors");
    await saveModel(path, m, { optimizer });
    const restoredOpt = adam({ learningRate: 0.01 });
    const back = await loadModel(path, { optimizer: restoredOpt });
    expect(back).toBeInstanceOf(Sequential);
    expect(back.name).toBe("seq");
    expect(back.summary().toString()).toBe(m.summary().toString());
    expect(bits(back.getState())).toEqual(bits(m.getState()));
    expect(restoredOpt.getState()).toEqual(optimizer.getState());
    const x = images(8, 2).x;
    expect(Array.from(back.predict(x))).toEqual(Array.from(m.predict(x)));
  });

  it("a graph model with blocks round-trips", async () => {
    const x = input([8, 8, 2]);
    const stem = batchNorm().apply(conv2d(8, 3, { padding: "same" }).apply(x));
    const a = biRealBlock(stem, { inChannels: 8, outChannels: 16, strides: 2 });
    const b = reactNetBlock(depthwiseConv2d(3, { padding: "same" }).apply(a), {
      inChannels: 16,
      outChannels: 32,
    });
    const { m } = await trained(
      model({ inputs: x, outputs: dense(2).apply(globalAvgPool2d().apply(b)), seed: 5, name: "g" }),
    );
    const back = decodeModel(encodeModel(m));
    expect(back).toBeInstanceOf(GraphModel);
    expect(back.layers.map((l) => `${l.type}:${l.name}`)).toEqual(m.layers.map((l) => `${l.type}:${l.name}`));
    expect(bits(back.getState())).toEqual(bits(m.getState()));
    const xs = images(8, 3).x;
    expect(Array.from(back.predict(xs))).toEqual(Array.from(m.predict(xs)));
  });

  it("refuses a plain checkpoint, a saved model without optimizer state, and unsavable quantizers", async () => {
    const m = sequential([dense(2)], { inputShape: [3] });
    expect(() => decodeModel(encodeCheckpoint(m, adam(), 0, new Rng(1)))).toThrowError(
      expect.objectContaining({ code: "STATE_MISMATCH", message: expect.stringMatching(/no architecture/) }),
    );
    expect(() => decodeModel(encodeModel(m), adam())).toThrowError(/without optimizer state/);
    const custom = { ...steSign(), name: "mine" };
    const odd = sequential([binaryDense(2, { kernelQuantizer: custom })], { inputShape: [3] });
    expect(() => encodeModel(odd)).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
