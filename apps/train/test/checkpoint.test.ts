import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRunCheckpoint, encodeRunCheckpoint, loadRunCheckpoint } from "../src/checkpoint.js";
import { resolveConfig } from "../src/config.js";
import { loadMnistSplits, type Split } from "../src/data.js";
import { TrainError } from "../src/errors.js";
import { runTraining } from "../src/run.js";
import { createTrainerState, type EpochRecord, trainEpochs } from "../src/trainer.js";

let data: { train: Split; test: Split };
let dir: string;
beforeAll(async () => {
  data = await loadMnistSplits({ limit: 300, testLimit: 100 });
  dir = await mkdtemp(join(tmpdir(), "onebit-train-ckpt-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Small enough to train in a second: quarter-width tiny ConvNet, shifts on, so every random
// stream (shuffling, augmentation) must be restored for the resume to be exact.
const config = resolveConfig("mnist-tiny", {
  width: 0.25,
  epochs: 3,
  batchSize: 50,
  learningRate: 0.01,
  augment: 2,
  seed: 7,
});
const withoutTimes = (h: readonly EpochRecord[]) =>
  h.map(({ seconds: _s, evalSeconds: _e, samplesPerSecond: _p, ...rest }) => rest);

/** The bytes with one bit of the last tensor value flipped. */
const flipped = (bytes: Uint8Array) => {
  const out = bytes.slice();
  out[out.length - 1]! ^= 4;
  return out;
};

describe("checkpoints", () => {
  it("resume continues a run exactly (weights, optimizer, generator, history)", async () => {
    const straight = createTrainerState(config);
    await trainEpochs(straight, config, data);

    const first = createTrainerState(config);
    let saved: Uint8Array | undefined;
    await trainEpochs(first, config, data, {
      stopAfter: 1,
      onEpochEnd: (_, s) => {
        saved = encodeRunCheckpoint(s, config, 12.5);
      },
    });
    expect(first.history).toHaveLength(1);
    // Decode the epoch-1 checkpoint into a fresh process-like state and finish the run.
    const resumed = decodeRunCheckpoint(saved!);
    expect(resumed.config).toEqual(config);
    expect(resumed.elapsedSeconds).toBe(12.5);
    expect(resumed.history).toHaveLength(1);
    await trainEpochs(resumed.state, resumed.config, data);

    expect(withoutTimes(resumed.state.history)).toEqual(withoutTimes(straight.history));
    const a = straight.model.getState();
    const b = resumed.state.model.getState();
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(b[k], k).toEqual(a[k]);
    expect(resumed.state.optimizer.getState()).toEqual(straight.optimizer.getState());
    expect(resumed.state.rng.getState()).toEqual(straight.rng.getState());
  });

  it("the CLI run writes one per epoch, keeps the latest, and resumes from it", async () => {
    const ckDir = join(dir, "ck");
    const short = { ...config, epochs: 2 };
    const full = await runTraining({
      config: short,
      out: join(dir, "full.onebit"),
      checkpointDir: ckDir,
      keepCheckpoints: 1,
      data,
    });
    expect(await readdir(ckDir)).toEqual(["mnist-tiny-epoch-002.safetensors"]);
    expect(full.paths.lastCheckpoint).toBe(join(ckDir, "mnist-tiny-epoch-002.safetensors"));
    const ck = await loadRunCheckpoint(full.paths.lastCheckpoint!);
    expect(ck.history).toHaveLength(2);

    // Resuming a finished run only exports again: same weights, same predictions.
    const again = await runTraining({
      config: short,
      out: join(dir, "again.onebit"),
      checkpointDir: null,
      resume: full.paths.lastCheckpoint!,
      data,
    });
    expect(again.report.test.packed.accuracy).toBe(full.report.test.packed.accuracy);
    expect(again.report.provenance.resumedFrom).toEqual([full.paths.lastCheckpoint]);
    expect(again.model.tensors).toEqual(full.model.tensors);

    await expect(
      runTraining({
        config: short,
        explicit: { epochs: 5 },
        out: join(dir, "x.onebit"),
        checkpointDir: null,
        resume: full.paths.lastCheckpoint!,
        data,
      }),
    ).rejects.toMatchObject({ code: "RESUME_MISMATCH", message: expect.stringMatching(/epochs 2, not 5/) });
  });

  it("rejects bytes that are not a checkpoint with BAD_CHECKPOINT", async () => {
    const state = createTrainerState(config);
    const good = encodeRunCheckpoint(state, config, 0);
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array([1, 2, 3]), /checkpoint x:/],
      [good.subarray(0, good.length - 10), /checkpoint x:/],
      [
        encodeRunCheckpoint(createTrainerState({ ...config, width: 0.5 }), config, 0),
        /does not fit preset mnist-tiny/,
      ],
      [flipped(good), /checksum mismatch/],
    ];
    for (const [bytes, message] of cases) {
      let error: unknown;
      try {
        decodeRunCheckpoint(bytes, "x");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TrainError);
      expect((error as TrainError).code).toBe("BAD_CHECKPOINT");
      expect((error as Error).message).toMatch(message);
    }
    const missing = join(dir, "missing.safetensors");
    await expect(loadRunCheckpoint(missing)).rejects.toMatchObject({
      code: "IO_ERROR",
      message: expect.stringContaining(missing),
    });
  });
});
