import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGE_LIMITS } from "../src/image-limits.js";
import { decodeImages } from "../src/images.js";
import { Rng } from "./models.js";

// Every size an image file declares is checked against a limit before anything is decoded or
// allocated, and a malformed file is a RuntimeError that says what is wrong with the file in our
// words, not the decoder's.

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(Buffer.from(type, "latin1"), 4);
  out.set(data, 8);
  return out; // CRC left zero: the structure checks run before any CRC is looked at
}

function ihdr(width: number, height: number, depth = 8, colorType = 6, interlace = 0): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([depth, colorType, 0, 0, interlace], 8);
  return chunk("IHDR", data);
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

function expectRefused(bytes: Uint8Array, file: string, code: string, ...mentions: RegExp[]): void {
  let caught: unknown;
  try {
    decodeImages(bytes, file);
  } catch (error) {
    caught = error;
  }
  expect(caught, file).toMatchObject({ name: "RuntimeError", code });
  const message = (caught as Error).message;
  expect(message.startsWith(`${file}: `), message).toBe(true);
  for (const m of mentions) expect(message).toMatch(m);
}

describe("PNG headers are checked before decoding", () => {
  it("the 69-byte file that aborted the CLI (2³¹−1 × 2³¹−1 RGBA) is a typed error naming the limit", () => {
    const bytes = Buffer.from(
      "89504e470d0a1a0a0000000d494844527fffffff7fffffff080600000014c90b660000000c49444154789c6360a00c000000400001b7347cef0000000049454e44ae426082",
      "hex",
    );
    expect(bytes.length).toBe(69);
    expectRefused(
      bytes,
      "b1.png",
      "LIMIT_EXCEEDED",
      /2147483647×2147483647/,
      /16384 pixels per side/,
      /--max-image-side/,
    );
  });

  it("an IHDR-only 30000×30000 file and a 20000×20000 one name the limit, the value and the option", () => {
    const iend = chunk("IEND", new Uint8Array(0));
    expectRefused(
      concat(PNG_SIGNATURE, ihdr(30000, 30000), iend),
      "big.png",
      "LIMIT_EXCEEDED",
      /30000×30000/,
      /--max-image-side/,
    );
    // Within the side limit, over the pixel budget.
    expectRefused(
      concat(PNG_SIGNATURE, ihdr(16000, 16000), iend),
      "wide.png",
      "LIMIT_EXCEEDED",
      /256000000 pixels/,
      new RegExp(`limit of ${DEFAULT_IMAGE_LIMITS.maxPixels} pixels`),
      /--max-pixels/,
    );
  });

  it("raising the limits lets a large image through, lowering them refuses a small one", () => {
    const p = new PNG({ width: 40, height: 30 });
    const bytes = PNG.sync.write(p);
    expect(() => decodeImages(bytes, "a.png", { maxPixels: 1199 })).toThrow(
      expect.objectContaining({
        code: "LIMIT_EXCEEDED",
        limit: { name: "maxPixels", value: 1200, max: 1199 },
      }),
    );
    expect(() => decodeImages(bytes, "a.png", { maxPixels: 1199 })).toThrow(
      /1200 pixels, more than the limit of 1199/,
    );
    expect(() => decodeImages(bytes, "a.png", { maxImageSide: 39 })).toThrow(/limit of 39 pixels per side/);
    expect(decodeImages(bytes, "a.png", { maxPixels: 1200, maxImageSide: 40 })).toMatchObject({
      width: 40,
      height: 30,
    });
    expect(() => decodeImages(bytes, "a.png", { maxPixels: Number.NaN })).toThrow(
      /maxPixels must be a positive integer/,
    );
  });

  it("pixel data that inflates past what the header implies is refused without inflating it all", () => {
    // A 16×16 grey image needs 16·17 bytes; this stream inflates to 64 MiB.
    const bomb = deflateSync(new Uint8Array(64 << 20));
    const bytes = concat(
      PNG_SIGNATURE,
      ihdr(16, 16, 8, 0),
      chunk("IDAT", bomb),
      chunk("IEND", new Uint8Array(0)),
    );
    expectRefused(bytes, "bomb.png", "INVALID_ARGUMENT", /inflates past the 272 bytes its header implies/);
  });

  it("truncated, chunk-less, corrupt or CRC-damaged files say what is wrong in plain words", () => {
    const good = PNG.sync.write(new PNG({ width: 28, height: 28 }));
    for (let end = 0; end < good.length; end += 7) {
      let caught: unknown;
      try {
        decodeImages(good.subarray(0, end), "cut.png");
      } catch (error) {
        caught = error;
      }
      expect(caught, `cut at ${end}`).toMatchObject({ name: "RuntimeError", code: "INVALID_ARGUMENT" });
      expect((caught as Error).message).toMatch(/^cut\.png: not a readable PNG: /);
      expect((caught as Error).message).not.toMatch(/waitng|read requests/);
    }
    const rng = new Rng(3);
    const iend = chunk("IEND", new Uint8Array(0));
    expectRefused(concat(PNG_SIGNATURE, ihdr(4, 4), iend), "empty.png", "INVALID_ARGUMENT", /no IDAT chunk/);
    expectRefused(
      concat(PNG_SIGNATURE, ihdr(4, 4), chunk("IDAT", rng.bytes(40)), iend),
      "noise.png",
      "INVALID_ARGUMENT",
      /compressed pixel data is corrupt/,
    );
    expectRefused(
      concat(PNG_SIGNATURE, ihdr(4, 4, 3, 2), iend),
      "depth.png",
      "INVALID_ARGUMENT",
      /bit depth 3/,
    );
    const flipped = Uint8Array.from(good, (b, i) => (i === good.length - 20 ? b ^ 1 : b));
    expectRefused(flipped, "crc.png", "INVALID_ARGUMENT", /not a readable PNG/);
  });

  it("thousands of byte-flipped PNGs give RuntimeErrors naming the file, never a crash or the decoder's words", () => {
    const rng = new Rng(5);
    const bases = [0, 2, 4, 6].map((colorType) => {
      const p = new PNG({ width: 9, height: 7, colorType: colorType as 0 | 2 | 4 | 6, inputColorType: 6 });
      p.data.set(rng.bytes(p.data.length));
      return PNG.sync.write(p, { colorType: colorType as 0 | 2 | 4 | 6, inputColorType: 6 });
    });
    const words = rng.bytes(4 * 3000);
    for (let t = 0; t < 3000; t++) {
      const base = bases[t % bases.length]!;
      const bytes = Uint8Array.from(base);
      const at = ((words[4 * t]! << 8) | words[4 * t + 1]!) % bytes.length;
      bytes[at] = words[4 * t + 2]! & 1 ? 0xff : bytes[at]! ^ (1 << (words[4 * t + 3]! & 7));
      try {
        decodeImages(bytes, "f.png");
      } catch (error) {
        expect(error).toMatchObject({ name: "RuntimeError" });
        expect(["INVALID_ARGUMENT", "LIMIT_EXCEEDED"]).toContain((error as { code: string }).code);
        expect((error as Error).message).toMatch(/^f\.png: /);
        expect((error as Error).message).not.toMatch(/waitng|read requests|Invalid typed array/);
      }
    }
  });

  it("valid images of every colour type, bit depth and interlacing still decode as before", () => {
    const rng = new Rng(11);
    for (const colorType of [0, 2, 4, 6]) {
      for (const width of [1, 7, 28]) {
        const p = new PNG({ width, height: 5, colorType: colorType as 0 | 2 | 4 | 6, inputColorType: 6 });
        p.data.set(rng.bytes(p.data.length));
        const bytes = PNG.sync.write(p, { colorType: colorType as 0 | 2 | 4 | 6, inputColorType: 6 });
        const reference = PNG.sync.read(bytes);
        const decoded = decodeImages(bytes, "ok.png");
        expect(decoded).toMatchObject({ count: 1, width, height: 5, channels: 4 });
        expect(Buffer.from(decoded.data).equals(reference.data)).toBe(true);
      }
    }
  });
});

describe("PGM and IDX headers are checked before allocating", () => {
  it("the 21-byte PGM declaring 100000×100000 names the limit instead of 'Invalid typed array length'", () => {
    const bytes = Buffer.from("P5 100000 100000 255\n");
    expect(bytes.length).toBe(21);
    expectRefused(bytes, "huge.pgm", "LIMIT_EXCEEDED", /100000×100000/, /--max-image-side/);
    expectRefused(
      Buffer.from("P5 9000 9000 255\n"),
      "big.pgm",
      "LIMIT_EXCEEDED",
      /81000000 pixels/,
      /--max-pixels/,
    );
    expectRefused(Buffer.from("P5 100 100 255\n"), "short.pgm", "INVALID_ARGUMENT", /truncated PGM/);
    expectRefused(
      Buffer.from("P2 2 2 255\n1 2 3"),
      "ascii.pgm",
      "INVALID_ARGUMENT",
      /truncated PGM \(4 pixels declared, 3 found\)/,
    );
  });

  it("an IDX file's images count against the per-file pixel budget", () => {
    const header = Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2);
    const bytes = concat(header, new Uint8Array(12));
    expect(decodeImages(bytes, "x-idx3-ubyte").count).toBe(3);
    expect(() => decodeImages(bytes, "x-idx3-ubyte", { maxPixels: 11 })).toThrow(
      /3 images of 2×2 = 12 pixels, more than the limit of 11/,
    );
  });
});
