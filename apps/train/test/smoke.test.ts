import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readModel } from "@onebit/format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../src/config.js";
import { loadMnistSplits, loadSplits, type Split } from "../src/data.js";
import { predictPacked } from "../src/packed.js";
import { PRESET_NAMES, type PresetName } from "../src/presets.js";
import { REPORT_SCHEMA, type TrainReport } from "../src/report.js";
import { runTraining } from "../src/run.js";
import { evaluateFloat } from "../src/trainer.js";

let data: { train: Split; test: Split };
let dir: string;
beforeAll(async () => {
  data = await loadMnistSplits({ limit: 4000, testLimit: 500 });
  dir = await mkdtemp(join(tmpdir(), "onebit-train-smoke-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("smoke: a few hundred steps of mnist-tiny on real MNIST", () => {
  it("learns far above chance, and the packed graph agrees with the float graph on every test image", async () => {
    // 4000 images, batch 40, 3 epochs = 300 Adam steps at the preset's learning rate.
    const config = resolveConfig("mnist-tiny", { limit: 4000, testLimit: 500, epochs: 3, batchSize: 40 });
    const out = join(dir, "tiny.onebit");
    const { report, paths, state } = await runTraining({
      config,
      out,
      checkpointDir: null,
      data,
      recalibrateBatches: 20,
    });

    expect(report.epochs).toHaveLength(3);
    expect(report.test.float.accuracy).toBeGreaterThan(0.8); // chance is 0.1
    expect(report.test.images).toBe(500);
    expect(report.batchNormRecalibration).toMatchObject({
      batches: 20,
      testAccuracyAfter: report.test.float.accuracy,
    });
    expect(report.test.disagreements).toEqual([]);
    expect(report.test.agreement).toBe(1);
    expect(report.test.packed.accuracy).toBe(report.test.float.accuracy);
    expect(report.test.packed.engine).toMatch(/@onebit\/runtime-node InferenceSession/);
    expect(report.test.reference).toMatchObject({ images: 200, agreementWithPacked: 1 });

    // The files on disk: the model reads back and predicts what the report says.
    const bytes = new Uint8Array(await readFile(paths.model));
    expect(bytes.length).toBe(report.model.fileBytes);
    expect(bytes.length).toBeLessThan(20_000);
    const model = readModel(bytes);
    expect(model.metadata.provenance?.accuracy).toBe(report.test.packed.accuracy);
    expect(model.graph.nodes[0]).toMatchObject({ op: "input", dtype: "uint8", shape: [28, 28, 1] });
    expect(model.graph.nodes[1]!.op).toBe("conv2dBitPlane");
    const first = sliceSplit(data.test, 100);
    const packed = await predictPacked(bytes, first, "reference");
    expect(Array.from(packed.predictions)).toEqual(Array.from(evaluateFloat(state.model, first).predictions));

    const saved = JSON.parse(await readFile(paths.report, "utf8")) as TrainReport;
    expect(saved.schema).toBe(REPORT_SCHEMA);
    expect(saved.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(saved.timing.totalSeconds).toBeGreaterThan(saved.timing.trainSeconds);
    expect(saved.provenance.cores).toBeGreaterThan(0);
    expect((await stat(paths.svg)).size).toBeGreaterThan(1000);
  });
});

describe("every preset exports a graph that computes what it trained", () => {
  // Narrow versions and one short epoch: this checks the export path (bit-plane first layer,
  // −1-padded first convolution, one-padded binary convolutions, pooling, thresholds), not accuracy.
  it.each(PRESET_NAMES)("%s", async (preset) => {
    const width =
      preset === "mnist-mlp"
        ? 1 / 16
        : preset.endsWith("-conv")
          ? 1 / 8
          : preset.endsWith("-bireal")
            ? 0.25
            : 0.5;
    const [images, tests] = preset.endsWith("-conv") || preset.endsWith("-bireal") ? [200, 40] : [400, 200];
    const config = resolveConfig(preset, {
      width,
      epochs: 1,
      limit: images,
      testLimit: tests,
      learningRate: 0.01,
    });
    const small = { train: sliceSplit(data.train, images), test: sliceSplit(data.test, tests) };
    const { report, state, paths } = await runTraining({
      config,
      out: join(dir, `${preset}.onebit`),
      checkpointDir: null,
      data: small,
    });
    expect(report.test.disagreements).toEqual([]);
    // The residual presets and mnist-conv re-estimate BatchNorm statistics after training unless told otherwise.
    const recalibrated: Partial<Record<PresetName, number>> = {
      "mnist-conv": 600,
      "mnist-bireal": 100,
      "fmnist-bireal": 100,
    };
    expect(report.batchNormRecalibration?.batches ?? 0).toBe(recalibrated[preset] ?? 0);
    const packed = await predictPacked(new Uint8Array(await readFile(paths.model)), small.test);
    expect(Array.from(packed.predictions)).toEqual(
      Array.from(evaluateFloat(state.model, small.test).predictions),
    );
  });
});

describe("Fashion-MNIST", () => {
  it("loads the official split (Debian's dataset-fashion-mnist) for the fmnist presets", async () => {
    const fashion = await loadSplits("fashion-mnist", { limit: 100, testLimit: 50 });
    expect([fashion.train.count, fashion.test.count, fashion.train.size]).toEqual([100, 50, 784]);
    expect(new Set(fashion.train.labels).size).toBeGreaterThan(5);
    expect(Math.max(...fashion.train.labels)).toBeLessThanOrEqual(9);
    // Not the digits: the first training image of MNIST is a 5, of Fashion-MNIST an ankle boot (9).
    expect(fashion.train.labels[0]).toBe(9);
    expect(data.train.labels[0]).toBe(5);
  });
});

function sliceSplit(s: Split, n: number): Split {
  return {
    images: s.images.subarray(0, n * s.size),
    labels: s.labels.subarray(0, n),
    count: n,
    size: s.size,
  };
}
