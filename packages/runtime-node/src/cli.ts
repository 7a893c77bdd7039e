#!/usr/bin/env node
// The `onebit` command: run a .onebit model on images, inspect a model, benchmark it, convert one.
import "@onebit/native/register"; // as the package's main entry: backend "auto" prefers the native kernels where they load
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import {
  type FitStyle,
  type PhotoPreprocessing,
  photoPreprocessingFromMetadata,
  preprocessPhoto,
  readIdx,
} from "@onebit/datasets";
import { readGraphModelInfo } from "@onebit/format";
import {
  type BackendOption,
  DEFAULT_LIMITS,
  type InputInfo,
  type ModelInput,
  RuntimeError,
  type StepTiming,
  describeCost,
  describeModel,
} from "@onebit/runtime";
import { Command, InvalidArgumentError } from "commander";
import {
  type BenchReport,
  DEFAULT_MAX_BENCH_INPUT_BYTES,
  benchmark,
  checkBenchBatch,
  randomInput,
} from "./bench.js";
import {
  DEFAULT_IMAGE_LIMITS,
  type ImageLimits,
  checkInputFileSize,
  resolveImageLimits,
} from "./image-limits.js";
import { type ConvertFlags, convertFile } from "./convert-command.js";
import { RUNTIME_LIMIT_FLAGS, addRuntimeLimitOptions, limitFlagHint, limitsFromFlags } from "./cli-limits.js";
import { countInverted, fitImages, resolveFitStyle, squareGreySide } from "./fit-images.js";
import { decodeGzipIdxImages, isGzip, readGzipIdx } from "./gzip-idx-input.js";
import { type DecodedImages, decodeImages, toModelInput } from "./images.js";
import { readModelSource } from "./load.js";
import { InferenceSession } from "./session.js";

const out = (line = "") => process.stdout.write(`${line}\n`);
/** Something the user should know that is not the result (stderr, so that --json output stays clean). */
const note = (line: string) => process.stderr.write(`onebit: note: ${line}\n`);

// `onebit inspect m.onebit | head`: when the reader goes away there is nobody left to tell; stop
// quietly instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  process.stderr.write(`onebit: cannot write the output: ${error.message} [IO_ERROR]\n`);
  process.exit(1);
});

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

function intList(value: string): number[] {
  return value.split(",").map((v) => positiveInt(v.trim()));
}

function threadsOption(value: string): number | "auto" {
  return value === "auto" ? "auto" : positiveInt(value);
}

const BACKENDS = ["auto", "native", "wasm-simd", "wasm-i64", "typescript"];
function backendOption(value: string): BackendOption {
  if (!BACKENDS.includes(value)) throw new InvalidArgumentError(`expected one of ${BACKENDS.join(", ")}`);
  return value as BackendOption;
}

const fmtBytes = (n: number) =>
  n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(2)} KiB` : `${n} B`;
const fmtCount = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)} M`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)} k`
        : `${n}`;

/** Rows padded into columns; the columns listed in `left` are left-aligned, the others right-aligned. */
function table(rows: string[][], left: readonly number[] = [1, 2, 3, 4]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (left.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ")
      .trimEnd(),
  );
}

interface RunFlags {
  top: number;
  json?: boolean;
  invert?: boolean;
  fit?: boolean;
  fitStyle: string;
  labels?: string;
  limit: number;
  threads: number | "auto";
  backend: BackendOption;
  maxPixels: number;
  maxImageSide: number;
}

/** Images below this count run on the main thread unless --threads asks otherwise (workers take ~50 ms to start). */
const THREADED_RUN_MIN_IMAGES = 256;

/**
 * Runs `load` (which reads or plans the model file `model`), naming the file in a model error: the
 * readers say "model bytes" (they never see a path), and FormatError becomes RuntimeError "INVALID_MODEL".
 */
async function withModelFile<T>(model: string, load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof RuntimeError) {
      if (!error.message.startsWith("model bytes")) throw error;
      throw new RuntimeError(error.code, `${model}${error.message.slice("model bytes".length)}`, {
        cause: error,
      });
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== "string") throw error;
    throw new RuntimeError("INVALID_MODEL", `${model}: ${(error as Error).message} [${code}]`, {
      cause: error,
    });
  }
}

/** An input file's bytes (RuntimeError "IO_ERROR" naming the file). */
async function readInputFile(file: string, limits: ImageLimits = {}): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new RuntimeError("IO_ERROR", `cannot read the input file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // Before reading: a file larger than any image within the limits is refused unread.
  checkInputFileSize(file, size, resolveImageLimits(limits));
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new RuntimeError("IO_ERROR", `cannot read the input file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** An IDX file of labels (its reader's errors name the file). */
async function readLabels(file: string): Promise<ReturnType<typeof readIdx>> {
  const bytes = await readInputFile(file);
  if (isGzip(bytes)) return readGzipIdx(file);
  try {
    return readIdx(bytes);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `${file}: ${(error as Error).message}${typeof code === "string" ? ` [${code}]` : ""}`,
      { cause: error },
    );
  }
}

async function runCommand(
  model: string,
  inputs: string[],
  flags: RunFlags,
  explicitThreads: boolean,
): Promise<void> {
  const bytes = await readModelSource(model);
  let session = await withModelFile(model, () =>
    InferenceSession.create(bytes, { threads: 1, backend: flags.backend, limits: limitsFromFlags(flags) }),
  );
  try {
    const decoded = [];
    for (const file of inputs) {
      const limits = { maxPixels: flags.maxPixels, maxImageSide: flags.maxImageSide };
      const bytes = await readInputFile(file, limits);
      const images =
        isGzip(bytes) && !/\.(png|jpe?g|pgm|pnm)$/i.test(file)
          ? await decodeGzipIdxImages(file, limits)
          : decodeImages(bytes, file, limits);
      if (images.count === 0) throw new RuntimeError("INVALID_ARGUMENT", `${file}: the file holds no images`);
      decoded.push({ file, images });
    }
    const total = decoded.reduce((n, d) => n + d.images.count, 0);
    if (flags.threads !== 1 && (explicitThreads || total >= THREADED_RUN_MIN_IMAGES)) {
      await session.dispose();
      session = await InferenceSession.create(bytes, {
        threads: flags.threads,
        backend: flags.backend,
        limits: limitsFromFlags(flags),
      });
    }
    if (session.outputInfo.classes === undefined) {
      throw new RuntimeError(
        "UNSUPPORTED_MODEL",
        `${model}: the model's output is not a vector of class scores, so there is nothing to rank`,
      );
    }
    const fitStyle = flags.fit
      ? resolveFitStyle(flags.fitStyle, session.metadata.provenance?.dataset)
      : undefined;
    // A photo classifier (e.g. QuickNet converted by `onebit convert`) records how photos are prepared.
    const photo = photoRecipe(session.metadata.extra, session.inputInfo);
    const truth = flags.labels ? await readLabels(flags.labels) : undefined;
    if (truth && truth.shape.length !== 1)
      throw new RuntimeError("INVALID_ARGUMENT", `${flags.labels}: expected an IDX vector of labels`);
    const results: {
      input: string;
      index: number;
      top: ReturnType<InferenceSessionResult["top"]>;
      label?: number;
    }[] = [];
    let offset = 0;
    for (const { file, images } of decoded) {
      const data = photo
        ? preparePhotos(images, session.inputInfo, photo)
        : prepareInput(images, session.inputInfo, file, flags, fitStyle);
      const r = await session.run(data, { shape: [images.count, ...session.inputInfo.shape] });
      for (let i = 0; i < images.count; i++) {
        const label = truth ? Number(truth.data[offset + i]) : undefined;
        results.push({
          input: file,
          index: i,
          top: r.top(flags.top, i),
          ...(label === undefined ? {} : { label }),
        });
      }
      offset += images.count;
    }
    if (truth && truth.shape[0] !== results.length) {
      throw new RuntimeError(
        "SHAPE_MISMATCH",
        `${flags.labels}: ${truth.shape[0]} labels for ${results.length} images`,
      );
    }
    const correct = truth ? results.filter((r) => r.top[0]!.index === r.label).length : undefined;
    if (flags.json) {
      out(
        JSON.stringify(
          {
            model: session.metadata.name,
            results: results.map((r) => ({
              input: r.input,
              index: r.index,
              ...(r.label === undefined ? {} : { label: r.label }),
              top: r.top,
            })),
            ...(correct === undefined
              ? {}
              : { accuracy: correct / results.length, correct, total: results.length }),
          },
          null,
          2,
        ),
      );
      return;
    }
    const shown = results.length > flags.limit ? results.slice(0, flags.limit) : results;
    for (const r of shown) {
      const name = results.length > inputs.length ? `${basename(r.input)}[${r.index}]` : basename(r.input);
      const best = r.top[0]!;
      const tops = r.top.map((t) => `${t.label ?? t.index} ${(t.probability * 100).toFixed(1)}%`).join(", ");
      out(
        `${name}: ${best.label ?? best.index}  (${tops})${r.label === undefined ? "" : r.label === best.index ? "  ✓" : `  ✗ label ${r.label}`}`,
      );
    }
    if (shown.length < results.length)
      out(`… ${results.length - shown.length} more (--limit ${results.length} or --json to see all)`);
    if (correct !== undefined)
      out(`accuracy: ${correct}/${results.length} = ${((100 * correct) / results.length).toFixed(2)} %`);
  } finally {
    await session.dispose();
  }
}
type InferenceSessionResult = Awaited<ReturnType<InferenceSession["run"]>>;

/** The model's photo preprocessing when it records one and takes [height, width, 3] images. */
function photoRecipe(extra: Readonly<Record<string, unknown>> | undefined, input: InputInfo) {
  const recipe = photoPreprocessingFromMetadata(extra);
  return recipe && input.shape.length === 3 && input.shape[2] === 3 ? recipe : undefined;
}

/** Each image cropped, resized and normalized as the model's metadata says (any size in, the model's size out). */
function preparePhotos(images: DecodedImages, input: InputInfo, recipe: PhotoPreprocessing): Float32Array {
  const [height, width] = input.shape as [number, number, number];
  const pixels = images.height * images.width * images.channels;
  const out = new Float32Array(images.count * input.size);
  for (let i = 0; i < images.count; i++) {
    const image = { ...images, data: images.data.subarray(i * pixels, (i + 1) * pixels) };
    out.set(preprocessPhoto(image, { height, width }, recipe), i * input.size);
  }
  return out;
}

/** `n images` or `the image`, for notes about a file's images. */
const imagesOf = (count: number, total: number) =>
  total === 1 ? "the image" : `${count} of its ${total} images`;

/**
 * The model input for one file's images: fitted as MNIST was with --fit (inverting dark-on-light
 * images, and saying so), else as they are — with a note when a grey model is given images that
 * look dark-on-light, and a hint towards --fit when the size does not match.
 */
function prepareInput(
  images: DecodedImages,
  input: InputInfo,
  file: string,
  flags: RunFlags,
  fitStyle: FitStyle | undefined,
): ModelInput {
  if (fitStyle) {
    const fitted = fitImages(images, input, file, flags.invert === true, fitStyle);
    if (fitted.inverted > 0 && !flags.invert)
      note(`${file}: ${imagesOf(fitted.inverted, images.count)} looked dark-on-light: inverted by --fit`);
    return toModelInput(fitted.images, input, file);
  }
  const greyModel = input.shape.length === 1 || input.shape[2] === 1;
  if (greyModel && !flags.invert) {
    const inverted = countInverted(images, file);
    if (inverted > 0)
      note(
        `${file}: ${imagesOf(inverted, images.count)} look${inverted === 1 && images.count === 1 ? "s" : ""} inverted (dark strokes on a light background; the model expects light on dark): add --invert, or --fit`,
      );
  }
  try {
    return toModelInput(images, input, file, flags.invert);
  } catch (error) {
    if (
      error instanceof RuntimeError &&
      error.code === "SHAPE_MISMATCH" &&
      squareGreySide(input) !== undefined
    ) {
      throw new RuntimeError(
        "SHAPE_MISMATCH",
        `${error.message}; --fit prepares a drawing of any size as MNIST was (bounding box, resize, centre of mass)`,
        { cause: error },
      );
    }
    throw error;
  }
}

interface InspectFlags {
  json?: boolean;
}

async function inspectCommand(model: string, flags: InspectFlags): Promise<void> {
  const bytes = await readModelSource(model);
  const info = await withModelFile(model, () =>
    bytes instanceof Uint8Array ? readGraphModelInfo(bytes) : undefined,
  );
  const summary = await withModelFile(model, () => describeModel(bytes));
  const limits = limitsFromFlags(flags);
  // The cost and the limits first: a model beyond a limit is described, not refused.
  const cost = await withModelFile(model, () => describeCost(bytes, { limits, threads: 1 }));
  const session =
    cost.violations.length === 0
      ? await withModelFile(model, () => InferenceSession.create(bytes, { threads: 1, limits }))
      : undefined;
  const plan = session?.engine.memoryInfo;
  await session?.dispose();
  const inputLimits = { ...DEFAULT_IMAGE_LIMITS, maxBenchInputBytes: DEFAULT_MAX_BENCH_INPUT_BYTES };
  if (flags.json) {
    out(
      JSON.stringify(
        {
          file: model,
          version: info?.version,
          fileBytes: info?.fileLength,
          input: session?.inputInfo,
          output: session?.outputInfo,
          ...summary,
          plan,
          planBytes: cost.planBytes,
          samplesPerPass: cost.samplesPerPass,
          limits: { ...cost.limits, ...inputLimits },
          violations: cost.violations,
        },
        null,
        2,
      ),
    );
    return;
  }
  const m = summary.metadata;
  out(`${m.name}${m.description ? ` — ${m.description}` : ""}`);
  if (info)
    out(`file: ${model} (${fmtBytes(info.fileLength)}, format ${info.version.major}.${info.version.minor})`);
  if (session) {
    const inp = session.inputInfo;
    out(
      `input: ${inp.name} ${inp.dtype} [${inp.shape.join(", ")}], normalized x·${inp.normalization.scale} + ${inp.normalization.offset}`,
    );
    const o = session.outputInfo;
    out(
      `output: ${o.name} ${o.kind} [${o.shape.join(", ")}]${o.classes !== undefined ? `, ${o.classes} classes` : ""}${o.labels ? ` (${o.labels.slice(0, 10).join(", ")}${o.labels.length > 10 ? ", …" : ""})` : ""}`,
    );
  }
  const p = m.provenance;
  if (p) {
    const parts = [
      p.dataset && `dataset ${p.dataset}`,
      p.accuracy !== undefined && `accuracy ${(p.accuracy * 100).toFixed(2)} %`,
      p.epochs !== undefined && `${p.epochs} epochs`,
      p.seed !== undefined && `seed ${p.seed}`,
      p.libraryVersion && `by ${p.libraryVersion}`,
      p.date,
    ].filter(Boolean);
    out(`provenance: ${parts.join(", ")}`);
  }
  out();
  const rows = [
    [
      "#",
      "node",
      "op",
      "details",
      "output",
      "1-bit params",
      "32-bit params",
      "bytes",
      "binary MACs",
      "float MACs",
    ],
  ];
  for (const n of summary.nodes) {
    rows.push([
      String(n.index),
      n.name,
      n.op,
      n.details,
      `${n.outputKind} [${n.outputShape.join(", ")}]`,
      fmtCount(n.binaryParams),
      fmtCount(n.otherParams),
      fmtBytes(n.bytes),
      fmtCount(n.binaryMacs),
      fmtCount(n.floatMacs),
    ]);
  }
  for (const line of table(rows)) out(line);
  const t = summary.totals;
  out();
  out(`parameters: ${fmtCount(t.binaryParams)} binary, ${fmtCount(t.otherParams)} 32-bit`);
  out(
    `tensors: ${fmtBytes(t.bytes)} (float32 would take ${fmtBytes(t.float32Bytes)}: ${(t.float32Bytes / Math.max(t.bytes, 1)).toFixed(1)}× smaller)`,
  );
  const c = cost.cost;
  out(
    `cost per sample: ${fmtCount(c.binaryMacs)} binary MACs, ${fmtCount(c.int8Macs)} 8-bit MACs, ${fmtCount(c.floatMacs)} float MACs, ${fmtCount(c.comparisons)} comparisons; activations ${fmtBytes(c.peakActivationBytes)} at the peak`,
  );
  if (plan)
    out(
      `runtime plan: ${fmtBytes(plan.weightBytes)} prepacked weights, ${fmtBytes(plan.activationBytesPerSample)} activations per sample, ${fmtBytes(plan.totalBytes)} memory`,
    );
  else if (cost.planBytes !== undefined)
    out(`runtime plan: ${fmtBytes(cost.planBytes)} memory (${cost.samplesPerPass} samples per pass)`);
  else out("runtime plan: does not fit a 4 GiB WebAssembly memory");
  const limit = (n: number, format: (n: number) => string) => (Number.isFinite(n) ? format(n) : "none");
  const l = cost.limits;
  out("limits in force (each raised by its option):");
  out(
    `  model: ${limit(l.maxMacsPerSample, fmtCount)} MACs per sample (--max-macs), ${limit(l.maxComparisonsPerSample, fmtCount)} comparisons per sample (--max-comparisons), ${limit(l.maxPlanBytes, fmtBytes)} plan memory (--max-plan-bytes)`,
  );
  out(`  run: ${limit(l.maxResultBytes, fmtBytes)} result per run (--max-result-bytes)`);
  out(
    `  inputs: ${fmtCount(inputLimits.maxPixels)} pixels per file (--max-pixels), ${inputLimits.maxImageSide} pixels per side (--max-image-side); bench: ${fmtBytes(inputLimits.maxBenchInputBytes)} input per batch (--max-input-bytes)`,
  );
  for (const v of cost.violations)
    out(
      `EXCEEDS ${v.limit}: ${v.what} (limit ${v.max}; raise with ${RUNTIME_LIMIT_FLAGS[v.limit]} ${v.value})`,
    );
}

interface BenchFlags {
  profile?: boolean;
  batch: number[];
  threads: number | "auto";
  backend: BackendOption;
  iterations: number;
  time: number;
  json?: boolean;
  maxInputBytes: number;
}

async function benchCommand(model: string, flags: BenchFlags): Promise<void> {
  const session = await withModelFile(model, () =>
    InferenceSession.create(model, {
      threads: flags.threads,
      backend: flags.backend,
      limits: limitsFromFlags(flags),
    }),
  );
  const reports: BenchReport[] = [];
  const profiles: { batch: number; steps: StepTiming[] }[] = [];
  try {
    // Every batch size is checked before the first one runs or allocates anything.
    for (const batch of flags.batch) checkBenchBatch(session.inputInfo, batch, flags.maxInputBytes);
    if (!flags.json)
      out(
        `${session.metadata.name}: backend ${session.backend}, ${session.threads} thread${session.threads > 1 ? "s" : ""}`,
      );
    for (const batch of flags.batch) {
      if (flags.profile) {
        const steps = session.engine.profile(
          randomInput(session.inputInfo.size, session.inputInfo.dtype, batch),
        );
        profiles.push({ batch, steps });
        if (!flags.json) {
          const total = steps.reduce((t, s) => t + s.ms, 0);
          out(`batch ${batch}, one thread, per step (median):`);
          const rows = [["node", "step", "rows", "ms", "share"]];
          for (const s of steps) {
            rows.push([
              s.node,
              s.op,
              String(s.rows),
              s.ms.toFixed(3),
              `${((100 * s.ms) / total).toFixed(1)} %`,
            ]);
          }
          for (const line of table(rows, [0, 1])) out(`  ${line}`);
        }
      }
      const r = await benchmark(session, {
        batch,
        iterations: flags.iterations,
        minTimeMs: flags.time,
        maxInputBytes: flags.maxInputBytes,
      });
      reports.push(r);
      if (!flags.json) {
        const l = r.latencyMs;
        const ms = (v: number) => v.toFixed(v < 1 ? 3 : 2);
        out(
          `batch ${String(batch).padStart(4)}: latency p50 ${ms(l.p50)} ms, p90 ${ms(l.p90)} ms, p99 ${ms(l.p99)} ms (min ${ms(l.min)}, mean ${ms(l.mean)}) — ${Math.round(r.samplesPerSecond).toLocaleString("en-US")} samples/s over ${r.iterations} runs`,
        );
      }
    }
  } finally {
    await session.dispose();
  }
  if (flags.json)
    out(
      JSON.stringify(
        { model: session.metadata.name, reports, ...(profiles.length ? { profiles } : {}) },
        null,
        2,
      ),
    );
}

/** This package's version: package.json sits one folder above both src/cli.ts and dist/cli.js. */
const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

const EXAMPLES = `
Examples:
  onebit run models/mnist-tiny.onebit digit.png              classify a 28×28 image
  onebit run models/mnist-tiny.onebit drawing.png --fit      any size, dark-on-light too: fitted as MNIST was
  onebit run models/mnist-tiny.onebit t10k-images-idx3-ubyte --labels t10k-labels-idx1-ubyte
                                                             accuracy on an IDX test set
  onebit run models/mnist-tiny.onebit a.png b.pgm --json --top 5
  onebit inspect models/mnist-tiny.onebit                    ops, shapes, sizes, cost and limits
  onebit convert quicknet.tflite -o quicknet.onebit --imagenet-labels
                                                             import a Larq Compute Engine model (needs @onebit/lce)
  onebit run quicknet.onebit photo.jpg --top 5               photos: cropped, resized, normalized as the model says
  onebit bench models/mnist-tiny.onebit --batch 1,64,256 --threads 2

Limits (each refused with a message naming it; raise with the option; \`onebit inspect\` shows them):
  model: --max-macs ${DEFAULT_LIMITS.maxMacsPerSample} per sample, --max-comparisons ${DEFAULT_LIMITS.maxComparisonsPerSample} per sample,
         --max-plan-bytes ${DEFAULT_LIMITS.maxPlanBytes}, --max-result-bytes ${DEFAULT_LIMITS.maxResultBytes} per run
  run:   --max-pixels ${DEFAULT_IMAGE_LIMITS.maxPixels} per input file, --max-image-side ${DEFAULT_IMAGE_LIMITS.maxImageSide}
  bench: --max-input-bytes ${DEFAULT_MAX_BENCH_INPUT_BYTES} per batch

Errors are one line on stderr ending in a [CODE]; the exit status is 1. ONEBIT_DEBUG=1 adds a stack trace.`;

const program = new Command()
  .name("onebit")
  .description("Run, inspect, benchmark and convert .onebit Binarized Neural Network models")
  .version(VERSION, "-v, --version", "print the version")
  .addHelpText("after", EXAMPLES)
  .showHelpAfterError();

addRuntimeLimitOptions(
  program
    .command("run")
    .description("classify images (.png, .jpg, .pgm, or an IDX file of images) with a model")
    .argument("<model>", ".onebit model file")
    .argument(
      "<inputs...>",
      "image files: .png, .jpg/.jpeg, .pgm/.pnm, or IDX, plain or .gz (e.g. t10k-images-idx3-ubyte.gz)",
    )
    .option("--top <k>", "how many classes to show per image", positiveInt, 3)
    .option("--json", "print JSON")
    .option("--invert", "use 255 − v (dark strokes on a light background → MNIST style)")
    .option(
      "--fit",
      "prepare images of any size as the model's dataset was: background to 0 (dark-on-light images inverted), the ink's bounding box resized and centred (see --fit-style)",
    )
    .option(
      "--fit-style <style>",
      '"mnist": bounding box to 20×20, centre of mass at the centre of 28×28; "fashion-mnist": longest edge to 28, centred; "auto": by the model\'s provenance',
      "auto",
    )
    .option("--labels <idx>", "IDX file of true labels, plain or .gz: report accuracy")
    .option("--limit <n>", "print at most n images (text output)", nonNegativeInt, 20)
    .option(
      "--threads <n>",
      `worker threads or "auto" (used from ${THREADED_RUN_MIN_IMAGES} images on, unless given)`,
      threadsOption,
      "auto",
    )
    .option("--backend <name>", `kernel backend: ${BACKENDS.join(", ")}`, backendOption, "auto")
    .option(
      "--max-pixels <n>",
      "refuse an input file holding more pixels than this, all its images together",
      positiveInt,
      DEFAULT_IMAGE_LIMITS.maxPixels,
    )
    .option(
      "--max-image-side <n>",
      "refuse an image wider or taller than this many pixels",
      positiveInt,
      DEFAULT_IMAGE_LIMITS.maxImageSide,
    ),
).action((model: string, inputs: string[], flags: RunFlags, command: Command) =>
  runCommand(model, inputs, flags, command.getOptionValueSource("threads") === "cli"),
);

program
  .command("convert")
  .description(
    "convert a Larq Compute Engine .tflite model (QuickNet and other Larq Zoo BNNs) to .onebit; needs the optional package @onebit/lce",
  )
  .argument("<model>", ".tflite file converted by Larq Compute Engine")
  .requiredOption("-o, --output <file>", "the .onebit file to write (atomically)")
  .option("--labels <file>", "text file of class names, one per line, stored in the model")
  .option(
    "--imagenet-labels",
    "store ImageNet's 1000 class names, from the package @tensorflow-models/mobilenet (install it)",
  )
  .option("--name <name>", "model name (default: the file name)")
  .option(
    "--preprocessing <recipe>",
    '"larq-zoo": store Larq Zoo\'s photo preprocessing (centre crop 224/256, bicubic, ImageNet mean/std), applied by `onebit run`; "none"',
    "larq-zoo",
  )
  .action(async (model: string, flags: ConvertFlags) => {
    out(await convertFile(model, flags));
  });

addRuntimeLimitOptions(
  program
    .command("inspect")
    .description(
      "show a model's graph: ops, shapes, parameters, sizes, cost per sample, the limits in force, metadata",
    )
    .argument("<model>", ".onebit model file")
    .option("--json", "print JSON"),
).action((model: string, flags: InspectFlags) => inspectCommand(model, flags));

addRuntimeLimitOptions(
  program
    .command("bench")
    .description("measure latency percentiles and throughput on random inputs")
    .argument("<model>", ".onebit model file")
    .option("--batch <n[,n…]>", "batch sizes", intList, [1])
    .option("--threads <n>", 'worker threads or "auto"', threadsOption, "auto")
    .option("--backend <name>", `kernel backend: ${BACKENDS.join(", ")}`, backendOption, "auto")
    .option("--iterations <n>", "at least this many timed runs per batch size", positiveInt, 50)
    .option("--time <ms>", "and at least this long per batch size", positiveInt, 2000)
    .option("--profile", "also time each step of the plan on one thread")
    .option(
      "--max-input-bytes <n>",
      "refuse a batch whose random input would take more bytes than this",
      positiveInt,
      DEFAULT_MAX_BENCH_INPUT_BYTES,
    )
    .option("--json", "print JSON"),
).action((model: string, flags: BenchFlags) => benchCommand(model, flags));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // One line on stderr and exit code 1: users get the problem, not a stack trace. Every error here
  // carries a machine-readable code (RuntimeError; FormatError / DatasetError from the readers).
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `onebit: ${message}${limitFlagHint(error)}${typeof code === "string" ? ` [${code}]` : ""}\n`,
  );
  if (!(error instanceof RuntimeError) && typeof code !== "string" && process.env["ONEBIT_DEBUG"]) {
    process.stderr.write(`${(error as Error).stack ?? ""}\n`);
  }
  process.exitCode = 1;
}
