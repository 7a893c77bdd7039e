// Node.js entry (`@onebit/format/node`): file helpers on top of the browser-safe main entry.
import { readFileAligned, writeFileAtomic } from "./atomic-file.js";
import { type ReadOptions, readModel } from "./read.js";
import type { OnebitModel } from "./tensor.js";
import { writeModel } from "./write.js";

export { readFileAligned, writeFileAtomic } from "./atomic-file.js";

/**
 * Validates and writes a model to `path` atomically: a crash or error never leaves a partial file
 * (the old file, if any, stays until the new one is complete). Throws FormatError.
 */
export async function saveModel(path: string, model: OnebitModel): Promise<void> {
  await writeFileAtomic(path, writeModel(model));
}

/** Reads and fully validates a .onebit file (see `readModel`). Throws FormatError (IO_ERROR for file-system errors). */
export async function loadModel(path: string, options?: ReadOptions): Promise<OnebitModel> {
  return readModel(await readFileAligned(path), options);
}
