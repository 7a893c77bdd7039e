import { extname } from "node:path";
import { type IdxArray, readIdx } from "@onebit/datasets";
import { type InputInfo, RuntimeError, type RuntimeErrorCode } from "@onebit/runtime";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { type ImageLimits, checkImageSize, resolveImageLimits } from "./image-limits.js";
import { checkJpeg } from "./jpeg-structure.js";
import { checkPng } from "./png-structure.js";

/** Images decoded from a file: `count` samples of height × width × channels bytes (NHWC). */
export interface DecodedImages {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

/** A problem with an input file: the package's one error class, its message naming the file. */
function inputError(code: RuntimeErrorCode, message: string, cause?: unknown): RuntimeError {
  return new RuntimeError(code, message, cause === undefined ? undefined : { cause });
}

function decodePng(bytes: Uint8Array, file: string, limits: Required<ImageLimits>): DecodedImages {
  // Structure, size limits and the compressed data are checked here first: pngjs trusts the header.
  checkPng(bytes, file, limits);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    // The decoder's own words describe its internals (e.g. "read requests waitng on finished
    // stream"); the user gets what is wrong with the file, the decoder's message stays in `cause`.
    const crc = /crc/i.test((error as Error).message);
    throw inputError(
      "INVALID_ARGUMENT",
      `${file}: not a readable PNG: ${crc ? "a chunk's checksum (CRC) does not match its data (corrupt file)" : "its pixel data is malformed"}`,
      error,
    );
  }
  // pngjs always yields 8-bit RGBA.
  return { count: 1, height: png.height, width: png.width, channels: 4, data: new Uint8Array(png.data) };
}

function decodeJpeg(bytes: Uint8Array, file: string, limits: Required<ImageLimits>): DecodedImages {
  // The frame header is checked against the limits first; jpeg-js's own caps are set from them too.
  const header = checkJpeg(bytes, file, limits);
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: Math.ceil(limits.maxPixels / 1e6),
      maxMemoryUsageInMB: Math.max(512, Math.ceil((limits.maxPixels * 16) / 2 ** 20)),
    });
  } catch (error) {
    throw inputError("INVALID_ARGUMENT", `${file}: not a readable JPEG: ${(error as Error).message}`, error);
  }
  if (image.width !== header.width || image.height !== header.height)
    throw inputError(
      "INVALID_ARGUMENT",
      `${file}: not a readable JPEG: decoded ${image.width}×${image.height}, the header says ${header.width}×${header.height}`,
    );
  return { count: 1, height: image.height, width: image.width, channels: 4, data: image.data };
}

/** Binary (P5) or ASCII (P2) PGM with maxval ≤ 65535, scaled to 0..255. */
function decodePgm(bytes: Uint8Array, file: string, limits: Required<ImageLimits>): DecodedImages {
  let at = 0;
  const token = (): string => {
    for (;;) {
      while (at < bytes.length && /\s/.test(String.fromCharCode(bytes[at]!))) at++;
      if (bytes[at] !== 0x23) break; // '#' comment to end of line
      while (at < bytes.length && bytes[at] !== 0x0a) at++;
    }
    const start = at;
    while (at < bytes.length && !/\s/.test(String.fromCharCode(bytes[at]!))) at++;
    return String.fromCharCode(...bytes.subarray(start, at));
  };
  const magic = token();
  if (magic !== "P5" && magic !== "P2")
    throw inputError(
      "INVALID_ARGUMENT",
      `${file}: not a PGM image (magic ${JSON.stringify(magic)}, expected P5 or P2)`,
    );
  const [width, height, maxval] = [token(), token(), token()].map(Number) as [number, number, number];
  if (![width, height, maxval].every((v) => Number.isInteger(v) && v > 0) || maxval > 65535) {
    throw inputError(
      "INVALID_ARGUMENT",
      `${file}: bad PGM header (width ${width}, height ${height}, maxval ${maxval})`,
    );
  }
  checkImageSize(file, width, height, 1, limits);
  const n = width * height;
  const wide = maxval > 255;
  // A binary file must hold every pixel before anything is allocated for them.
  if (magic === "P5" && bytes.length < at + 1 + n * (wide ? 2 : 1))
    throw inputError("INVALID_ARGUMENT", `${file}: truncated PGM (${n} pixels declared)`);
  const data = new Uint8Array(n);
  const scale = (v: number) => Math.round((v * 255) / maxval);
  if (magic === "P2") {
    for (let i = 0; i < n; i++) {
      const word = token();
      if (word === "")
        throw inputError("INVALID_ARGUMENT", `${file}: truncated PGM (${n} pixels declared, ${i} found)`);
      const v = Number(word);
      if (!Number.isInteger(v) || v < 0 || v > maxval)
        throw inputError("INVALID_ARGUMENT", `${file}: pixel ${i} is not an integer in 0..${maxval}`);
      data[i] = scale(v);
    }
  } else {
    at++; // the single whitespace after maxval
    for (let i = 0; i < n; i++) {
      data[i] = scale(wide ? (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]! : bytes[at + i]!);
    }
  }
  return { count: 1, height, width, channels: 1, data };
}

/** An IDX reader's error as the CLI's: RuntimeError naming the file, the reader's code in brackets. */
export function idxInputError(error: unknown, file: string): RuntimeError {
  const code = (error as { code?: unknown }).code;
  const detail = typeof code === "string" ? ` [${code}]` : "";
  return inputError("INVALID_ARGUMENT", `${file}: ${(error as Error).message}${detail}`, error);
}

/** An IDX file of unsigned bytes: [n, rows, cols] (MNIST images), [n, rows, cols, channels] or [rows, cols]. */
function decodeIdx(bytes: Uint8Array, file: string, limits: Required<ImageLimits>): DecodedImages {
  let idx: IdxArray;
  try {
    idx = readIdx(bytes);
  } catch (error) {
    throw idxInputError(error, file);
  }
  return imagesFromIdx(idx, file, limits);
}

/** The images of a decoded IDX array of unsigned bytes, checked against the limits. */
export function imagesFromIdx(idx: IdxArray, file: string, limits: Required<ImageLimits>): DecodedImages {
  if (idx.dtype !== "uint8")
    throw inputError("DTYPE_MISMATCH", `${file}: IDX of ${idx.dtype}, expected unsigned bytes (images)`);
  const s = idx.shape;
  const images =
    s.length === 2
      ? { count: 1, height: s[0]!, width: s[1]!, channels: 1, data: idx.data }
      : s.length === 3 || s.length === 4
        ? { count: s[0]!, height: s[1]!, width: s[2]!, channels: s[3] ?? 1, data: idx.data }
        : undefined;
  if (images === undefined)
    throw inputError(
      "INVALID_ARGUMENT",
      `${file}: IDX of shape [${s.join(", ")}], expected [n, rows, cols] images`,
    );
  checkImageSize(file, images.width, images.height, images.count, limits);
  return images;
}

/**
 * Decodes a .png, .jpg/.jpeg, .pgm or IDX file (by extension; anything else is tried as IDX). Sizes are checked
 * against `limits` (see ImageLimits for the defaults) from the header, before any pixel is decoded.
 */
export function decodeImages(bytes: Uint8Array, file: string, limits: ImageLimits = {}): DecodedImages {
  const resolved = resolveImageLimits(limits);
  const ext = extname(file).toLowerCase();
  if (ext === ".png") return decodePng(bytes, file, resolved);
  if (ext === ".jpg" || ext === ".jpeg") return decodeJpeg(bytes, file, resolved);
  if (ext === ".pgm" || ext === ".pnm") return decodePgm(bytes, file, resolved);
  return decodeIdx(bytes, file, resolved);
}

/** Grey level of an RGB colour (ITU-R BT.601 luma, as PNG and most image tools use). */
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * What transparent pixels are composited over: black, unless the visible pixels are dark on average
 * (dark strokes on a transparent sheet, as drawing apps export them), then white — either way the
 * strokes stand out from the background instead of vanishing into it.
 */
export function transparentBackdrop(images: DecodedImages): number {
  if (images.channels !== 4) return 0;
  const d = images.data;
  let visible = 0;
  let light = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3]! < 128) continue;
    visible++;
    if (luma(d[i]!, d[i + 1]!, d[i + 2]!) >= 128) light++;
  }
  const transparent = d.length / 4 - visible;
  return transparent > 0 && visible > 0 && light < visible / 2 ? 255 : 0;
}

/**
 * Converts decoded images to the model's input bytes: grayscale (luma) for 1 channel or a flat
 * [height·width] input, RGB for 3, RGBA for 4; alpha composites over `backdrop`: black, or
 * white for dark strokes on a transparent sheet (transparentBackdrop); `invert` maps v → 255 − v
 * (for dark-on-light drawings fed to MNIST-style models). The pixel grid must match the model's.
 */
export function toModelInput(
  images: DecodedImages,
  input: Pick<InputInfo, "shape">,
  file: string,
  invert = false,
  backdrop = transparentBackdrop(images),
): Uint8Array {
  const shape = input.shape;
  const pixels = images.height * images.width;
  let channels: number;
  if (shape.length === 3) {
    if (shape[0] !== images.height || shape[1] !== images.width) {
      throw inputError(
        "SHAPE_MISMATCH",
        `${file}: the image is ${images.width}×${images.height}, the model takes ${shape[1]}×${shape[0]} (width×height)`,
      );
    }
    channels = shape[2]!;
  } else if (shape[0] === pixels) channels = 1;
  else if (shape[0] === pixels * 3) channels = 3;
  else {
    throw inputError(
      "SHAPE_MISMATCH",
      `${file}: the image has ${pixels} pixels, the model takes a vector of ${shape[0]} values`,
    );
  }
  if (![1, 3, 4].includes(channels))
    throw inputError(
      "SHAPE_MISMATCH",
      `${file}: the model takes ${channels}-channel images, images have 1, 3 or 4`,
    );
  const out = new Uint8Array(images.count * pixels * channels);
  const src = images.data;
  const sc = images.channels;
  for (let p = 0; p < images.count * pixels; p++) {
    const i = p * sc;
    const alpha = sc === 4 ? src[i + 3]! / 255 : 1;
    const rgb = sc >= 3 ? [src[i]!, src[i + 1]!, src[i + 2]!] : [src[i]!, src[i]!, src[i]!];
    const px =
      channels === 1 ? [luma(rgb[0]!, rgb[1]!, rgb[2]!)] : channels === 3 ? rgb : [...rgb, alpha * 255];
    for (let c = 0; c < channels; c++) {
      let v = channels === 4 ? px[c]! : px[c]! * alpha + backdrop * (1 - alpha);
      v = Math.round(Math.min(255, Math.max(0, v)));
      out[p * channels + c] = invert ? 255 - v : v;
    }
  }
  return out;
}
