import jpeg from "jpeg-js";
import { describe, expect, it } from "vitest";
import { decodeImages } from "../src/images.js";

// JPEG input: decoded through jpeg-js after its frame header was checked against the image limits,
// so a tiny file declaring a huge image is refused before anything is allocated for its pixels.

function encoded(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([(p * 7) % 256, 128, 255 - ((p * 3) % 256), 255], p * 4);
  return new Uint8Array(jpeg.encode({ width, height, data }, 95).data);
}

/** The bytes with the frame header's size replaced (the rest of the file is left as it was). */
function withDeclaredSize(bytes: Uint8Array, width: number, height: number, marker = 0xc0): Uint8Array {
  const out = bytes.slice();
  for (let at = 2; at < out.length; ) {
    const length = (out[at + 2]! << 8) | out[at + 3]!;
    if (out[at + 1] === 0xc0) {
      out[at + 1] = marker;
      out.set([height >> 8, height & 255, width >> 8, width & 255], at + 5);
      return out;
    }
    at += 2 + length;
  }
  throw new Error("no SOF0 in the encoded test image");
}

const catchError = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected an error");
};

describe("JPEG input", () => {
  it("decodes a baseline JPEG to RGBA of the declared size, close to the encoded pixels", () => {
    const images = decodeImages(encoded(37, 21), "photo.jpg");
    expect(images).toMatchObject({ count: 1, width: 37, height: 21, channels: 4 });
    expect(images.data.length).toBe(37 * 21 * 4);
    expect(Math.abs(images.data[4 * 10 + 1]! - 128)).toBeLessThan(8);
  });

  it("refuses a declared size beyond the limits before decoding, naming the option", () => {
    const huge = withDeclaredSize(encoded(16, 16), 30_000, 30_000);
    const e = catchError(() => decodeImages(huge, "huge.jpg"));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(e.message).toMatch(/huge\.jpg.*30000×30000.*--max-image-side/);
    const many = catchError(() => decodeImages(encoded(64, 64), "a.jpeg", { maxPixels: 1000 }));
    expect(many.message).toMatch(/4096 pixels.*--max-pixels/);
  });

  it("names damage: not a JPEG, truncated headers, unsupported coding, a zero size, bad data", () => {
    const good = encoded(16, 16);
    expect(catchError(() => decodeImages(new Uint8Array([1, 2, 3]), "x.jpg")).message).toMatch(/SOI marker/);
    for (const n of [2, 5, 20]) {
      const e = catchError(() => decodeImages(good.subarray(0, n), "cut.jpg"));
      expect(e.code).toBe("INVALID_ARGUMENT");
      expect(e.message).toMatch(/cut\.jpg: not a readable JPEG/);
    }
    expect(catchError(() => decodeImages(withDeclaredSize(good, 16, 16, 0xc9), "a.jpg")).message).toMatch(
      /0xFFC9.*not supported/,
    );
    expect(catchError(() => decodeImages(withDeclaredSize(good, 16, 0), "z.jpg")).message).toMatch(/16×0/);
    // The header is fine but the entropy-coded data is cut short.
    const e = catchError(() => decodeImages(good.subarray(0, good.length - 200), "short.jpg"));
    expect(e.code).toBe("INVALID_ARGUMENT");
  });
});
