import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSafetensors } from "@onebit/format";
import { Rng } from "@onebit/tensor";
import { afterAll, describe, expect, it } from "vitest";
import {
  adam,
  batchNorm,
  binaryDense,
  bop,
  cosineDecay,
  decodeCheckpoint,
  dense,
  dropout,
  encodeCheckpoint,
  multiOptimizer,
  type Optimizer,
  sequential,
  sign,
} from "../src/index.js";
import { checkpointCallback, loadCheckpoint, saveCheckpoint } from "../src/node.js";

const dir = mkdtempSync(join(tmpdir(), "nn-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function data(seed: number) {
  const rng = new Rng(seed);
  const x = rng.uniformArray(240 * 12, -1, 1);
  const y = Int32Array.from({ length: 240 }, (_, i) => (x[i * 12]! * x[i * 12 + 1]! > 0 ? 1 : 0));
  return { x, y };
}

const makeModel = (seed: number) =>
  sequential(
    [
      dense(32),
      batchNorm(),
      sign(),
      dropout(0.2),
      binaryDense(32),
      batchNorm(),
      sign(),
      binaryDense(2),
      batchNorm(),
    ],
    { inputShape: [12], seed },
  );

const makeOptimizer = (): Optimizer =>
  multiOptimizer({ binary: bop({ gamma: 1e-3 }), other: adam({ learningRate: 0.01 }) });

const bits = (s: Record<string, Float32Array>) =>
  Object.fromEntries(
    Object.entries(s).map(([k, v]) => [k, Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length))]),
  );

describe("checkpoints", () => {
  it("resuming from a mid-training checkpoint gives the same final weights as an uninterrupted run", async () => {
    const train = data(1);
    const options = {
      epochs: 5,
      batchSize: 32,
      seed: 7,
      schedule: cosineDecay({ initial: 0.01 }),
      verbose: 0 as const,
    };
    const path = (epoch: number) => join(dir, `run-${epoch}.safetensors`);

    const full = makeModel(3);
    await full.fit(train, {
      ...options,
      optimizer: makeOptimizer(),
      callbacks: checkpointCallback(path, { every: 2 }),
    });

    // A fresh process: another initialization, a new optimizer, everything restored from epoch 2.
    const resumed = makeModel(99);
    const optimizer = makeOptimizer();
    const info = await loadCheckpoint(path(2), resumed, optimizer);
    expect(info.epoch).toBe(2);
    await resumed.fit(train, { ...options, optimizer, initialEpoch: info.epoch, rng: info.rng });
    expect(bits(resumed.getState())).toEqual(bits(full.getState()));
  });

  it("is plain safetensors with the weights under model/ and rejects another architecture", async () => {
    const model = makeModel(1);
    const opt = adam();
    const bytes = encodeCheckpoint(model, opt, 0, new Rng(1), { note: "hello" });
    const file = readSafetensors(bytes);
    expect(file.tensors.get("model/dense_1/kernel")).toMatchObject({ dtype: "F32", shape: [12, 32] });
    expect(file.tensors.get("rng/state")?.dtype).toBe("U32");
    expect(file.metadata["epoch"]).toBe("0");
    expect(decodeCheckpoint(bytes, makeModel(2), adam()).extra).toEqual({ note: "hello" });

    const other = sequential([dense(8), batchNorm(), dense(2)], { inputShape: [12] });
    expect(() => decodeCheckpoint(bytes, other)).toThrowError(
      expect.objectContaining({ code: "STATE_MISMATCH" }),
    );
    expect(() => decodeCheckpoint(bytes, makeModel(2), makeOptimizer())).toThrowError(/optimizer/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 40), makeModel(2))).toThrowError(
      expect.objectContaining({ code: "STATE_MISMATCH" }),
    );
    await saveCheckpoint(join(dir, "a.safetensors"), model, opt, 3, new Rng(5));
    expect((await loadCheckpoint(join(dir, "a.safetensors"), makeModel(4))).epoch).toBe(3);
  });
});
