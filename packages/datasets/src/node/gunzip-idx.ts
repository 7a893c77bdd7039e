import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { DatasetError } from "../errors.js";
import { type IdxHeader, type IdxReadOptions, checkIdxLength, readIdxHeader } from "../read-idx.js";

/** What a gzip-compressed IDX file holds: its header and the first `keepBytes` bytes of its data. */
export interface GunzippedIdx {
  header: IdxHeader;
  data: Uint8Array;
}

/**
 * Inflates a gzip-compressed IDX file as a stream. The header is validated (against `maxBytes` and
 * `maxDims`) from the first inflated bytes; from then on the stream is bounded by the size the header
 * declares: a byte past it fails at once (TRAILING_BYTES) instead of inflating the rest of a
 * compression bomb, and an early end is TRUNCATED. Only `keepBytes(header)` bytes of data are kept.
 */
export async function gunzipIdx(
  path: string,
  options: IdxReadOptions,
  keepBytes: (header: IdxHeader) => number,
): Promise<GunzippedIdx> {
  let head: Uint8Array = new Uint8Array(0);
  let header: IdxHeader | undefined;
  let data = new Uint8Array(0);
  let received = 0; // data bytes inflated so far (kept or not)
  const take = (bytes: Uint8Array) => {
    const h = header!;
    if (received < data.length) data.set(bytes.subarray(0, data.length - received), received);
    received += bytes.length;
    // Fails on the first chunk past the declared data, however much more the stream holds.
    if (received > h.dataBytes) {
      const end = h.headerBytes + h.dataBytes;
      throw new DatasetError(
        "TRAILING_BYTES",
        `IDX: the inflated data runs past the ${h.dataBytes} data bytes that shape [${h.shape.join(", ")}] of ${h.dtype} declares (ending at byte ${end}); inflating stopped at byte ${h.headerBytes + received}`,
        end,
      );
    }
  };
  // pipeline() reports a consumer's own error as an AbortError on Node 20; keep ours to rethrow it.
  let refused: DatasetError | undefined;
  try {
    await pipeline(createReadStream(path), createGunzip(), async (chunks: AsyncIterable<Buffer>) => {
      try {
        for await (const chunk of chunks) {
          if (header) {
            take(chunk);
            continue;
          }
          head = concat(head, chunk);
          const needed = head.length >= 4 ? 4 + 4 * head[3]! : 4;
          if (head.length < needed) continue;
          header = readIdxHeader(head, options);
          data = new Uint8Array(keepBytes(header));
          take(head.subarray(header.headerBytes));
        }
      } catch (error) {
        if (error instanceof DatasetError) refused = error;
        throw error;
      }
    });
  } catch (error) {
    if (refused) throw refused;
    if (error instanceof DatasetError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatasetError("TRUNCATED", `gzip data is corrupt or truncated: ${reason}`);
  }
  if (!header) header = readIdxHeader(head, options); // throws: the whole file is shorter than its header
  checkIdxLength(header, header.headerBytes + received);
  return { header, data };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
