// `onebit convert model.tflite -o model.onebit`: Larq Compute Engine models through @onebit/lce, an
// optional peer dependency loaded only here, so that running models never needs its dependencies.
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { writeFileAtomic } from "@onebit/format/node";
import { RuntimeError } from "@onebit/runtime";

type Lce = typeof import("@onebit/lce");

/** Labels files larger than this are refused unread (1000 ImageNet names take ~21 KB). */
export const MAX_LABELS_FILE_BYTES = 16 << 20;

/** The package shipping ImageNet's 1000 class names, index by index (Apache-2.0, TensorFlow.js models). */
export const IMAGENET_LABELS_PACKAGE = "@tensorflow-models/mobilenet";
const IMAGENET_LABELS_MODULE = `${IMAGENET_LABELS_PACKAGE}/dist/imagenet_classes.js`;

const missingPackage = (name: string, why: string, cause: unknown) =>
  new RuntimeError(
    "UNSUPPORTED_MODEL",
    `${why} needs the optional package ${name}, which is not installed: npm install ${name}`,
    { cause },
  );

const isModuleNotFound = (error: unknown, name: string) => {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") &&
    typeof e.message === "string" &&
    e.message.includes(name)
  );
};

/**
 * @onebit/lce, imported on demand; when it is not installed, RuntimeError "UNSUPPORTED_MODEL" telling
 * the user to install it. `load` is the import itself (a parameter for the tests).
 */
export async function loadLce(load: () => Promise<Lce> = () => import("@onebit/lce")): Promise<Lce> {
  try {
    return await load();
  } catch (error) {
    if (isModuleNotFound(error, "@onebit/lce"))
      throw missingPackage("@onebit/lce", "converting Larq Compute Engine .tflite files", error);
    throw error;
  }
}

/** ImageNet's class names from @tensorflow-models/mobilenet (an optional package: installed by the user). */
export async function loadImagenetLabels(
  load: () => Promise<unknown> = () => import(/* @vite-ignore */ IMAGENET_LABELS_MODULE),
): Promise<string[]> {
  let module: {
    IMAGENET_CLASSES?: Record<number, string>;
    default?: { IMAGENET_CLASSES?: Record<number, string> };
  };
  try {
    module = (await load()) as typeof module;
  } catch (error) {
    if (isModuleNotFound(error, IMAGENET_LABELS_PACKAGE))
      throw missingPackage(IMAGENET_LABELS_PACKAGE, "--imagenet-labels (ImageNet's class names)", error);
    throw error;
  }
  const classes = module.IMAGENET_CLASSES ?? module.default?.IMAGENET_CLASSES;
  const labels = classes ? Array.from({ length: 1000 }, (_, i) => classes[i]) : [];
  if (!labels.every((l): l is string => typeof l === "string"))
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `${IMAGENET_LABELS_MODULE} does not hold the 1000 ImageNet class names this version expects`,
    );
  return labels;
}

/** A text file of class names, one per line (blank lines at the end ignored). */
export async function readLabelsText(file: string): Promise<string[]> {
  let text: string;
  try {
    const size = (await stat(file)).size;
    if (size > MAX_LABELS_FILE_BYTES)
      throw new RuntimeError(
        "LIMIT_EXCEEDED",
        `${file}: the labels file is ${size} bytes, more than the limit of ${MAX_LABELS_FILE_BYTES}`,
        { limit: { name: "maxLabelsFileBytes", value: size, max: MAX_LABELS_FILE_BYTES } },
      );
    text = await readFile(file, "utf8");
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    throw new RuntimeError("IO_ERROR", `cannot read the labels file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const labels = text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
  if (labels.length === 0 || labels.some((l) => l.trim() === ""))
    throw new RuntimeError("INVALID_ARGUMENT", `${file}: expected one class name per line, no blank lines`);
  return labels;
}

export interface ConvertFlags {
  output: string;
  labels?: string;
  imagenetLabels?: boolean;
  name?: string;
  preprocessing: string;
}

/** Converts `input` (.tflite) and writes `flags.output` atomically; returns the report to print. */
export async function convertFile(input: string, flags: ConvertFlags, lce?: Lce): Promise<string> {
  const { conversionReport, convertLceModel, LARQ_ZOO_PREPROCESSING } = lce ?? (await loadLce());
  if (flags.labels && flags.imagenetLabels)
    throw new RuntimeError("INVALID_ARGUMENT", "give --labels or --imagenet-labels, not both");
  if (!["larq-zoo", "none"].includes(flags.preprocessing))
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `--preprocessing: expected "larq-zoo" or "none", got ${JSON.stringify(flags.preprocessing)}`,
    );
  const labels = flags.labels
    ? await readLabelsText(flags.labels)
    : flags.imagenetLabels
      ? await loadImagenetLabels()
      : undefined;
  let tflite: Uint8Array;
  try {
    tflite = new Uint8Array(await readFile(input));
  } catch (error) {
    throw new RuntimeError("IO_ERROR", `cannot read ${input}: ${(error as Error).message}`, { cause: error });
  }
  let result: ReturnType<Lce["convertLceModel"]>;
  try {
    result = convertLceModel(tflite, {
      name: flags.name ?? basename(input).replace(/\.tflite$/i, ""),
      source: basename(input),
      ...(labels ? { labels } : {}),
      ...(flags.preprocessing === "larq-zoo" ? { preprocessing: LARQ_ZOO_PREPROCESSING } : {}),
    });
  } catch (error) {
    // LceError and FormatError carry their own code; the CLI's last line prints it after the message.
    const e = error as Error & { code?: unknown };
    if (typeof e.code === "string") e.message = `${input}: ${e.message}`;
    throw error;
  }
  // A crash or error never leaves a partial file (FormatError "IO_ERROR" naming the path).
  await writeFileAtomic(flags.output, result.bytes);
  return [
    `${input} → ${flags.output}`,
    conversionReport(result),
    labels
      ? `labels: ${labels.length} (${labels.slice(0, 3).join("; ")}, …)`
      : "labels: none (--labels file.txt or --imagenet-labels)",
    flags.preprocessing === "larq-zoo"
      ? "preprocessing stored: Larq Zoo's (centre crop 224/256, bicubic resize, ImageNet mean/std) — `onebit run` applies it to photos"
      : "preprocessing stored: none",
  ].join("\n");
}
