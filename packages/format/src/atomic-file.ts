import { randomBytes } from "node:crypto";
import { open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { FormatError } from "./errors.js";

function ioError(action: string, path: string, e: unknown): FormatError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const message = (e as Error)?.message ?? String(e);
  const detail = code && !message.includes(code) ? `${code} ${message}` : message;
  return new FormatError("IO_ERROR", `${action} ${path}: ${detail}`, { cause: e });
}

/**
 * Age after which a leftover temporary file of a save is taken to be abandoned (its process was
 * killed between creating and renaming it) and removed by the next save of the same file. A save
 * in progress renews its file's modification time with every write, and none takes an hour.
 */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/** The temporary names `writeFileAtomic` uses for `name`: `.<name>.<pid>.<12 hex digits>.tmp`. */
function isTempOf(entry: string, name: string): boolean {
  const prefix = `.${name}.`;
  return entry.startsWith(prefix) && /^\d+\.[0-9a-f]{12}\.tmp$/.test(entry.slice(prefix.length));
}

/**
 * Removes temporary files of earlier saves of `path` that are older than `maxAgeMs` (left by
 * processes killed mid-save). Best effort: a file that vanished or cannot be removed is skipped.
 * Returns the names removed.
 */
export async function removeStaleTemps(
  path: string,
  maxAgeMs: number = STALE_TEMP_AGE_MS,
): Promise<string[]> {
  const dir = dirname(path);
  const name = basename(path);
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return removed;
  }
  const now = Date.now();
  for (const entry of entries) {
    if (!isTempOf(entry, name)) continue;
    const full = join(dir, entry);
    try {
      const s = await stat(full);
      if (s.isFile() && now - s.mtimeMs > maxAgeMs) {
        await unlink(full);
        removed.push(entry);
      }
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/**
 * Writes `bytes` to `path` so that `path` holds either its old content or all of `bytes`, never a
 * part: the bytes go to a new temporary file in the same directory (same file system, so the
 * rename is atomic), which is flushed to disk (fsync) and then renamed over `path`. On any failure
 * the temporary file is removed and a FormatError IO_ERROR (with the system error as `cause`) is thrown.
 * Each save uses a temporary name of its own; after a successful save, temporary files of `path`
 * older than `STALE_TEMP_AGE_MS` (from saves killed mid-way) are removed.
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
  await removeStaleTemps(path);
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
