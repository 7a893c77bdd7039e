import { randomBytes } from "node:crypto";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { FormatError } from "./errors.js";

function ioError(action: string, path: string, e: unknown): FormatError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const message = (e as Error)?.message ?? String(e);
  const detail = code && !message.includes(code) ? `${code} ${message}` : message;
  return new FormatError("IO_ERROR", `${action} ${path}: ${detail}`, { cause: e });
}

/**
 * Writes `bytes` to `path` so that `path` holds either its old content or all of `bytes`, never a
 * part: the bytes go to a new temporary file in the same directory (same file system, so the
 * rename is atomic), which is flushed to disk (fsync) and then renamed over `path`. On any failure
 * the temporary file is removed and a FormatError IO_ERROR (with the system error as `cause`) is thrown.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let created = false;
  try {
    // "wx": fail rather than follow or clobber anything already at the temporary name.
    const handle = await open(temp, "wx", 0o644);
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    created = false;
  } catch (e) {
    if (created) await unlink(temp).catch(() => {});
    throw ioError("saving", path, e);
  }
  // Make the rename itself durable. Directories cannot be opened for fsync on every platform
  // (Windows), and the file is complete either way, so this step is best effort.
  try {
    const d = await open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort, see above
  }
}

/** Reads a whole file into a Uint8Array whose start is 8-byte aligned (so tensors can be viewed in place). */
export async function readFileAligned(path: string): Promise<Uint8Array> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw ioError("reading", path, e);
  }
  // Small files come from Node's shared buffer pool at arbitrary offsets: copy those.
  return buf.byteOffset % 8 === 0
    ? new Uint8Array(buf.buffer, buf.byteOffset, buf.length)
    : new Uint8Array(buf);
}
