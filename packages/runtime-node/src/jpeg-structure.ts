// Reads a JPEG's marker segments up to its frame header (SOFn) and checks the declared size against
// the image limits before the pixel decoder (jpeg-js) sees the file: a few hundred bytes can declare
// 65535×65535 pixels, and the decoder allocates its component buffers from that header.
import { RuntimeError } from "@onebit/runtime";
import { type ImageLimits, checkImageSize } from "./image-limits.js";

export interface JpegHeader {
  width: number;
  height: number;
  /** Colour components: 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
  progressive: boolean;
}

const bad = (file: string, problem: string) =>
  new RuntimeError("INVALID_ARGUMENT", `${file}: not a readable JPEG: ${problem}`);

/** Frame headers jpeg-js decodes: baseline (C0), extended sequential (C1) and progressive (C2) Huffman. */
const DECODABLE_FRAMES = new Set([0xc0, 0xc1, 0xc2]);
/** Other SOFn markers (lossless, hierarchical, arithmetic coding): real JPEGs the decoder does not read. */
const OTHER_FRAMES = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** True when the bytes start with a JPEG's SOI marker. */
export const isJpeg = (bytes: Uint8Array): boolean => bytes[0] === 0xff && bytes[1] === 0xd8;

/**
 * The frame header of a JPEG file, checked against `limits` (RuntimeError "LIMIT_EXCEEDED" naming the
 * option) and for the coding the decoder reads; any other damage is "INVALID_ARGUMENT" naming the file.
 */
export function checkJpeg(bytes: Uint8Array, file: string, limits: Required<ImageLimits>): JpegHeader {
  if (!isJpeg(bytes)) throw bad(file, "it does not start with the SOI marker FF D8");
  let at = 2;
  for (;;) {
    // Markers may be preceded by fill bytes 0xFF.
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++;
    if (at + 4 > bytes.length) throw bad(file, "the file ends before a frame header (SOF) was found");
    if (bytes[at] !== 0xff)
      throw bad(file, `expected a marker at byte ${at}, found 0x${bytes[at]!.toString(16)}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xd9 || marker === 0xda)
      throw bad(file, "the image data starts before a frame header (SOF) was found");
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length)
      throw bad(
        file,
        `segment 0xFF${marker.toString(16).toUpperCase()} at byte ${at} runs past the end of the file`,
      );
    if (DECODABLE_FRAMES.has(marker) || OTHER_FRAMES.has(marker)) {
      if (length < 8) throw bad(file, "the frame header is too short");
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      const components = bytes[at + 9]!;
      if (!DECODABLE_FRAMES.has(marker))
        throw bad(
          file,
          `its coding (frame marker 0xFF${marker.toString(16).toUpperCase()}: lossless, hierarchical or arithmetic) is not supported; baseline and progressive JPEGs are`,
        );
      if (width === 0 || height === 0)
        throw bad(file, `the frame header declares ${width}×${height} pixels (a zero size is not supported)`);
      if (![1, 3, 4].includes(components))
        throw bad(file, `the frame has ${components} colour components, expected 1, 3 or 4`);
      checkImageSize(file, width, height, 1, limits);
      return { width, height, components, progressive: marker === 0xc2 };
    }
    at += 2 + length;
  }
}
