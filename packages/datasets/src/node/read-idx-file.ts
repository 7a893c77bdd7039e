import { open } from "node:fs/promises";
import { DatasetError, assertCount } from "../errors.js";
import type { IdxArray } from "../idx-dtype.js";
import {
  type IdxHeader,
  type IdxReadOptions,
  checkIdxLength,
  decodeIdxData,
  readIdxHeader,
} from "../read-idx.js";
import { gunzipIdx } from "./gunzip-idx.js";

export interface IdxFileOptions extends IdxReadOptions {
  /** Read only the first `limit` items along the first dimension (the whole file is still validated). */
  limit?: number;
}

/** An IDX file's decoded (possibly limited) contents and the header the file declares. */
export interface IdxFileContents {
  array: IdxArray;
  header: IdxHeader;
}

const GZIP = [0x1f, 0x8b];
/** Longest possible IDX header: 4 bytes of magic and 255 dimensions. */
const MAX_HEADER_BYTES = 4 + 4 * 255;

/**
 * Reads and validates an IDX file (plain or gzip-compressed, detected by its signature). With `limit`,
 * a plain file's size is checked against its header and only the needed items are read. A gzip file
 * is inflated as a stream bounded by the size its header declares (itself capped by `maxBytes`), so a
 * small archive that inflates to gigabytes fails after the declared size, not after inflating it all.
 */
export async function readIdxFile(path: string, options: IdxFileOptions = {}): Promise<IdxArray> {
  return (await readIdxFileContents(path, options)).array;
}

export async function readIdxFileContents(
  path: string,
  options: IdxFileOptions = {},
): Promise<IdxFileContents> {
  if (options.limit !== undefined) assertCount(options.limit, "limit");
  try {
    const file = await open(path, "r");
    try {
      const size = (await file.stat()).size;
      const start = new Uint8Array(Math.min(size, MAX_HEADER_BYTES));
      await file.read(start, 0, start.length, 0);
      if (start[0] === GZIP[0] && start[1] === GZIP[1]) {
        const { header, data } = await gunzipIdx(
          path,
          options,
          (h) => limitedItems(h, options.limit).dataBytes,
        );
        const items = limitedItems(header, options.limit);
        return { array: decodeIdxData({ dtype: header.dtype, shape: items.shape }, data), header };
      }
      const header = readIdxHeader(start, options);
      checkIdxLength(header, size);
      const items = limitedItems(header, options.limit);
      const data = new Uint8Array(items.dataBytes);
      if (data.length > 0) await file.read(data, 0, data.length, header.headerBytes);
      return { array: decodeIdxData({ dtype: header.dtype, shape: items.shape }, data), header };
    } finally {
      await file.close();
    }
  } catch (error) {
    throw withPath(error, path);
  }
}

function limitedItems(header: IdxHeader, limit: number | undefined): { shape: number[]; dataBytes: number } {
  if (limit === undefined || header.shape.length === 0 || limit >= header.shape[0]!) {
    return { shape: header.shape, dataBytes: header.dataBytes };
  }
  const itemBytes = header.shape[0] === 0 ? 0 : header.dataBytes / header.shape[0]!;
  return { shape: [limit, ...header.shape.slice(1)], dataBytes: limit * itemBytes };
}

function withPath(error: unknown, path: string): DatasetError {
  if (error instanceof DatasetError) {
    return error.message.startsWith(path)
      ? error
      : new DatasetError(error.code, `${path}: ${error.message}`, error.offset);
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  return new DatasetError(
    "FILE_ERROR",
    code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read the file: ${reason}`,
  );
}
