// Reads a PNG's chunk structure and IHDR header, and inflates its pixel data under a bound computed
// from the header, before the pixel decoder sees the file. The decoder (pngjs) trusts the header: a
// 69-byte file declaring 2³¹−1 × 2³¹−1 pixels made its synchronous inflate abort the process, and an
// IHDR-only file of 30000×30000 made it reserve gigabytes. Here every size is checked first.
import { inflateSync } from "node:zlib";
import { RuntimeError } from "@onebit/runtime";
import { type ImageLimits, checkImageSize } from "./image-limits.js";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Samples per pixel of each PNG colour type, and the bit depths it allows. */
const COLOR_TYPES: Readonly<Record<number, { channels: number; depths: readonly number[] }>> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] }, // grey
  2: { channels: 3, depths: [8, 16] }, // RGB
  3: { channels: 1, depths: [1, 2, 4, 8] }, // palette index
  4: { channels: 2, depths: [8, 16] }, // grey + alpha
  6: { channels: 4, depths: [8, 16] }, // RGBA
};

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  /** Bytes the pixel data inflates to: one filter byte per row plus the packed samples (per Adam7 pass when interlaced). */
  inflatedBytes: number;
}

const bad = (file: string, problem: string, cause?: unknown) =>
  new RuntimeError(
    "INVALID_ARGUMENT",
    `${file}: not a readable PNG: ${problem}`,
    cause === undefined ? undefined : { cause },
  );

/** Inflated size of a `width`×`height` image of `bitsPerPixel` (filter byte per row included). */
function scanlineBytes(width: number, height: number, bitsPerPixel: number): number {
  return width === 0 || height === 0 ? 0 : height * (1 + Math.ceil((width * bitsPerPixel) / 8));
}

/** Adam7's seven passes: [x start, y start, x step, y step]. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function inflatedSize(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  if (!interlaced) return scanlineBytes(width, height, bitsPerPixel);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    total += scanlineBytes(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy), bitsPerPixel);
  }
  return total;
}

/**
 * Validates the signature, the chunk lengths (every chunk inside the file, IHDR first, IDAT present,
 * IEND last) and the IHDR fields, checks the declared size against `limits`, then inflates the image
 * data with an output cap of exactly what the header implies. Returns the header; throws RuntimeError
 * naming the file and the problem. Nothing larger than the limits allow is ever allocated.
 */
export function checkPng(bytes: Uint8Array, file: string, limits: Required<ImageLimits>): PngHeader {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    throw bad(file, "the file does not start with the PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  const idat: Uint8Array[] = [];
  let at = 8;
  let ended = false;
  while (!ended) {
    if (at + 8 > bytes.length)
      throw bad(file, `the file ends at byte ${bytes.length} before its IEND chunk (truncated)`);
    const length = view.getUint32(at);
    const type = chunkName(bytes.subarray(at + 4, at + 8));
    const dataStart = at + 8;
    if (length > 0x7fffffff || dataStart + length + 4 > bytes.length) {
      throw bad(
        file,
        `chunk ${type} at byte ${at} declares ${length} bytes, past the end of the ${bytes.length}-byte file (truncated)`,
      );
    }
    const data = bytes.subarray(dataStart, dataStart + length);
    if (header === undefined && type !== "IHDR") throw bad(file, `the first chunk is ${type}, not IHDR`);
    if (type === "IHDR") {
      if (header !== undefined) throw bad(file, `a second IHDR chunk at byte ${at}`);
      header = readIhdr(data, file);
      checkImageSize(file, header.width, header.height, 1, limits);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") ended = true;
    at = dataStart + length + 4;
  }
  if (header === undefined || idat.length === 0)
    throw bad(file, "no IDAT chunk: the file holds no pixel data");
  const inflated = boundedInflate(idat, header.inflatedBytes, file);
  if (inflated < header.inflatedBytes) {
    throw bad(
      file,
      `the pixel data is truncated: it inflates to ${inflated} bytes, a ${header.width}×${header.height} image needs ${header.inflatedBytes}`,
    );
  }
  return header;
}

/** A chunk type as text when it is four ASCII letters (as PNG requires), else as hex bytes. */
function chunkName(type: Uint8Array): string {
  const text = String.fromCharCode(...type);
  return /^[A-Za-z]{4}$/.test(text) ? text : `0x${Buffer.from(type).toString("hex")}`;
}

function readIhdr(data: Uint8Array, file: string): PngHeader {
  if (data.length !== 13) throw bad(file, `the IHDR chunk holds ${data.length} bytes, expected 13`);
  const view = new DataView(data.buffer, data.byteOffset, 13);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [bitDepth, colorType, compression, filter, interlace] = data.subarray(8) as unknown as number[];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff)
    throw bad(file, `IHDR declares ${width}×${height} pixels (each side must be 1..2147483647)`);
  const kind = COLOR_TYPES[colorType!];
  if (kind === undefined) throw bad(file, `IHDR colour type ${colorType} is not one of 0, 2, 3, 4, 6`);
  if (!kind.depths.includes(bitDepth!))
    throw bad(file, `IHDR bit depth ${bitDepth} is not allowed with colour type ${colorType}`);
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1))
    throw bad(
      file,
      `IHDR compression ${compression}, filter ${filter}, interlace ${interlace} are not PNG's 0, 0, 0|1`,
    );
  const interlaced = interlace === 1;
  return {
    width,
    height,
    bitDepth: bitDepth!,
    colorType: colorType!,
    interlaced,
    inflatedBytes: inflatedSize(width, height, kind.channels * bitDepth!, interlaced),
  };
}

/**
 * Inflates the concatenated IDAT data with Node's zlib, refusing to produce more than `expected`
 * bytes (a deflate stream can expand ~1000-fold), and returns how many bytes it produced.
 */
function boundedInflate(idat: Uint8Array[], expected: number, file: string): number {
  const compressed = Buffer.concat(idat);
  try {
    return inflateSync(compressed, { maxOutputLength: Math.max(expected, 1) }).length;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") {
      throw bad(file, `the pixel data inflates past the ${expected} bytes its header implies`, error);
    }
    throw bad(file, "the compressed pixel data is corrupt (zlib could not inflate it)", error);
  }
}
