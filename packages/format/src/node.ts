// Node.js entry (`@onebit/format/node`): file helpers on top of the browser-safe main entry.
import { readFileAligned, writeFileAtomic } from "./atomic-file.js";
import type { GraphModel } from "./graph-v2.js";
import { readGraphModel, writeGraphModel } from "./graph-model.js";
import { type ReadOptions, readModel } from "./read.js";
import {
  readSafetensors,
  type SafetensorsFile,
  type SafetensorsInput,
  type SafetensorsReadOptions,
  writeSafetensors,
} from "./safetensors.js";
import type { OnebitModel } from "./tensor.js";
import { writeModel } from "./write.js";

export {
  readFileAligned,
  removeStaleTemps,
  STALE_TEMP_AGE_MS,
  writeFileAtomic,
} from "./atomic-file.js";

/**
 * Validates and writes a model to `path` atomically: a crash or error never leaves a partial file
 * (the old file, if any, stays until the new one is complete). Throws FormatError.
 */
export async function saveModel(path: string, model: OnebitModel): Promise<void> {
  await writeFileAtomic(path, writeModel(model));
}

/** Validates and writes a version 2 (graph) model to `path` atomically. Throws FormatError. */
export async function saveGraphModel(path: string, model: GraphModel): Promise<void> {
  await writeFileAtomic(path, writeGraphModel(model));
}

/** Reads a .onebit file of either version as a graph (see `readGraphModel`). Throws FormatError. */
export async function loadGraphModel(path: string, options?: ReadOptions): Promise<GraphModel> {
  return readGraphModel(await readFileAligned(path), options);
}

/** Reads and fully validates a .onebit file (see `readModel`). Throws FormatError (IO_ERROR for file-system errors). */
export async function loadModel(path: string, options?: ReadOptions): Promise<OnebitModel> {
  return readModel(await readFileAligned(path), options);
}

/**
 * Writes tensors (and an optional `__metadata__` string map) to a safetensors file atomically —
 * for latent-weight interop and training checkpoints. Throws FormatError.
 */
export async function saveSafetensors(
  path: string,
  tensors: SafetensorsInput,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(path, writeSafetensors(tensors, metadata));
}

/** Reads and validates a safetensors file (see `readSafetensors`). Throws FormatError. */
export async function loadSafetensors(
  path: string,
  options?: SafetensorsReadOptions,
): Promise<SafetensorsFile> {
  return readSafetensors(await readFileAligned(path), options);
}
