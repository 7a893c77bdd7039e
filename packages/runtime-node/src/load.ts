import { readFile } from "node:fs/promises";
import type { GraphModel, OnebitModel } from "@onebit/format";
import { RuntimeError } from "@onebit/runtime";

/** A model source in Node.js: a file path or `file:` URL, the file's bytes, or an in-memory model. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer | OnebitModel | GraphModel;

/** Reads a path/URL into bytes (RuntimeError "IO_ERROR" naming the path); passes bytes and models through. */
export async function readModelSource(source: ModelSource): Promise<Uint8Array | OnebitModel | GraphModel> {
  if (typeof source === "string" || source instanceof URL) {
    try {
      const bytes = await readFile(source);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      throw new RuntimeError(
        "IO_ERROR",
        `cannot read the model file ${String(source)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return source;
}
