import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSafetensors, writeSafetensors } from "@onebit/format";
import { Rng } from "@onebit/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { stateBits } from "./helpers.js";
import {
  adam,
  batchNorm,
  binaryDense,
  bop,
  checkpointContents,
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

const bits = stateBits;

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

describe("checkpoint decoding is atomic and checked", () => {
  // A model and optimizer with non-trivial state: a few steps of training.
  async function trained() {
    const model = makeModel(5);
    const optimizer = makeOptimizer();
    await model.fit(data(2), { epochs: 1, batchSize: 40, optimizer, verbose: 0 });
    return { model, optimizer };
  }
  const snapshot = (model: ReturnType<typeof makeModel>, optimizer: Optimizer) => ({
    model: bits(model.getState()),
    slots: bits(optimizer.getState().slots),
    scalars: optimizer.getState().scalars,
  });

  /** A checkpoint of another run with edited metadata, as a version-1 file (which has no checksum). */
  async function edited(change: (metadata: Record<string, string>) => void): Promise<Uint8Array> {
    const { model, optimizer } = await trained();
    model.setState(
      Object.fromEntries(Object.entries(model.getState()).map(([k, v]) => [k, v.map((x) => x + 1)])),
    );
    const c = checkpointContents(model, optimizer, 1, new Rng(3));
    c.metadata["formatVersion"] = "1";
    delete c.metadata["checksum"];
    change(c.metadata);
    return writeSafetensors(c.tensors, c.metadata);
  }

  for (const scalars of ["null", "{}", '{"t":-1}', "[1]", '{"other:t":"x"}', "nope"]) {
    it(`rejects optimizerScalars ${scalars} with STATE_MISMATCH and leaves model and optimizer untouched`, async () => {
      const bytes = await edited((m) => {
        m["optimizerScalars"] = scalars;
      });
      const { model, optimizer } = await trained();
      const before = snapshot(model, optimizer);
      expect(() => decodeCheckpoint(bytes, model, optimizer)).toThrowError(
        expect.objectContaining({ name: "NnError", code: "STATE_MISMATCH" }),
      );
      expect(snapshot(model, optimizer)).toEqual(before);
    });
  }

  it("reads version-1 files without a checksum", async () => {
    const bytes = await edited(() => {});
    const { model, optimizer } = await trained();
    expect(decodeCheckpoint(bytes, model, optimizer).epoch).toBe(1);
  });

  it("rejects a flipped bit anywhere in the tensors or the metadata (checksum)", async () => {
    const { model, optimizer } = await trained();
    const bytes = encodeCheckpoint(model, optimizer, 1, new Rng(3));
    const headerEnd = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const rng = new Rng(11);
    for (let trial = 0; trial < 20; trial++) {
      const flipped = bytes.slice();
      const at = headerEnd + rng.int(bytes.length - headerEnd);
      flipped[at]! ^= 1 << rng.int(8);
      const target = makeModel(6);
      const opt = makeOptimizer();
      const before = snapshot(target, opt);
      expect(() => decodeCheckpoint(flipped, target, opt)).toThrowError(/checksum mismatch/);
      expect(snapshot(target, opt)).toEqual(before);
    }
    const text = new TextDecoder().decode(bytes.subarray(8, headerEnd));
    const at = text.indexOf('"epoch":"1"') + 9;
    const changed = bytes.slice();
    changed[8 + at] = "7".charCodeAt(0);
    expect(() => decodeCheckpoint(changed, makeModel(6))).toThrowError(
      expect.objectContaining({ code: "STATE_MISMATCH", message: expect.stringMatching(/checksum/) }),
    );
  });

  it("rejects non-finite weights and slots with NON_FINITE, changing nothing", async () => {
    const { model, optimizer } = await trained();
    const state = model.getState();
    state["binary_dense_1/kernel"]![3] = Number.NaN;
    model.setState(state);
    const bytes = encodeCheckpoint(model, optimizer, 1, new Rng(3));
    const target = makeModel(6);
    const before = bits(target.getState());
    expect(() => decodeCheckpoint(bytes, target)).toThrowError(
      expect.objectContaining({
        code: "NON_FINITE",
        message: expect.stringMatching(/binary_dense_1\/kernel/),
      }),
    );
    expect(bits(target.getState())).toEqual(before);
  });

  it("loadCheckpoint of a missing file throws NnError IO_ERROR naming the path", async () => {
    const missing = join(dir, "missing.safetensors");
    await expect(loadCheckpoint(missing, makeModel(1))).rejects.toThrowError(
      expect.objectContaining({
        name: "NnError",
        code: "IO_ERROR",
        message: expect.stringContaining(missing),
      }),
    );
  });
});
