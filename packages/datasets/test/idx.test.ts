import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DatasetError,
  type IdxArray,
  type IdxDtype,
  IDX_DTYPES,
  readIdx,
  readIdxHeader,
  writeIdx,
} from "../src/index.js";
import { catchError } from "./rng.js";

const shapeArb = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 });
const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A random IDX array of any dtype, rank 0–4, with dimensions of size 0 and 1 included. */
const idxArb: fc.Arbitrary<IdxArray> = fc
  .record({ shape: shapeArb, dtype: fc.constantFrom(...(Object.keys(IDX_DTYPES) as IdxDtype[])) })
  .chain(({ shape, dtype }) => {
    const n = count(shape);
    const values = {
      uint8: fc.uint8Array({ minLength: n, maxLength: n }),
      int8: fc.int8Array({ minLength: n, maxLength: n }),
      int16: fc.int16Array({ minLength: n, maxLength: n }),
      int32: fc.int32Array({ minLength: n, maxLength: n }),
      float32: fc.float32Array({ minLength: n, maxLength: n, noNaN: true }),
      float64: fc.float64Array({ minLength: n, maxLength: n, noNaN: true }),
    }[dtype] as fc.Arbitrary<IdxArray["data"]>;
    return values.map((data) => ({ dtype, shape, data }) as IdxArray);
  });

/** Plain reference encoder: big-endian header and elements, written byte by byte. */
function referenceEncode({ dtype, shape, data }: IdxArray): number[] {
  const bytes = [0, 0, IDX_DTYPES[dtype].code, shape.length];
  const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  for (const size of shape) bytes.push(...be32(size));
  const size = IDX_DTYPES[dtype].bytes;
  for (const value of Array.from(data as ArrayLike<number>)) {
    const le = new Uint8Array(size);
    const view = new DataView(le.buffer);
    if (dtype === "uint8") view.setUint8(0, value);
    else if (dtype === "int8") view.setInt8(0, value);
    else if (dtype === "int16") view.setInt16(0, value, false);
    else if (dtype === "int32") view.setInt32(0, value, false);
    else if (dtype === "float32") view.setFloat32(0, value, false);
    else view.setFloat64(0, value, false);
    bytes.push(...le);
  }
  return bytes;
}

describe("readIdx / writeIdx", () => {
  it("writeIdx matches a byte-by-byte reference encoder and readIdx inverts it, for every dtype", () => {
    fc.assert(
      fc.property(idxArb, (array) => {
        const bytes = writeIdx(array);
        expect(Array.from(bytes)).toEqual(referenceEncode(array));
        const back = readIdx(bytes);
        expect(back.dtype).toBe(array.dtype);
        expect(back.shape).toEqual(array.shape);
        expect(back.data.constructor).toBe(array.data.constructor);
        expect(Array.from(back.data as ArrayLike<number>)).toEqual(
          Array.from(array.data as ArrayLike<number>),
        );
      }),
    );
  });

  it("decodes a hand-built big-endian file", () => {
    // int16 [2, 1]: 0x0102 = 258 and 0xfffe = −2; float32 [1]: 0x3fc00000 = 1.5
    const int16 = readIdx(Uint8Array.from([0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 1, 1, 2, 0xff, 0xfe]));
    expect(int16).toEqual({ dtype: "int16", shape: [2, 1], data: Int16Array.from([258, -2]) });
    const f32 = readIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]));
    expect(Array.from(f32.data)).toEqual([1.5]);
    const scalar = readIdx(Uint8Array.from([0, 0, 0x08, 0, 42]));
    expect(scalar).toEqual({ dtype: "uint8", shape: [], data: Uint8Array.from([42]) });
  });

  it("owns its data: later changes to the input do not show through", () => {
    const bytes = writeIdx({ dtype: "uint8", shape: [3], data: Uint8Array.from([1, 2, 3]) });
    const array = readIdx(bytes);
    bytes.fill(9);
    expect(Array.from(array.data)).toEqual([1, 2, 3]);
    // Node Buffers slice as views; the result must still be a plain, independent Uint8Array.
    const buffer = Buffer.from(writeIdx({ dtype: "uint8", shape: [2], data: Uint8Array.from([4, 5]) }));
    const fromBuffer = readIdx(buffer);
    buffer.fill(0);
    expect(fromBuffer.data.constructor).toBe(Uint8Array);
    expect(Array.from(fromBuffer.data)).toEqual([4, 5]);
  });

  it("reads from a subarray that does not start at its buffer's offset 0", () => {
    const file = writeIdx({ dtype: "int32", shape: [2], data: Int32Array.from([-7, 70000]) });
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    expect(Array.from(readIdx(padded.subarray(3)).data)).toEqual([-7, 70000]);
  });

  it("rejects a truncation at every byte position with TRUNCATED and the offset where the bytes end", () => {
    fc.assert(
      fc.property(idxArb, (array) => {
        const bytes = writeIdx(array);
        for (let length = 0; length < bytes.length; length++) {
          const error = catchError(() => readIdx(bytes.subarray(0, length)));
          expect(error).toBeInstanceOf(DatasetError);
          expect(error.code).toBe("TRUNCATED");
          expect(error.offset).toBe(length);
          expect(error.message).toContain(`ends at byte ${length}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("rejects trailing bytes with TRAILING_BYTES at the end of the declared data", () => {
    fc.assert(
      fc.property(idxArb, fc.integer({ min: 1, max: 9 }), (array, extra) => {
        const bytes = writeIdx(array);
        const longer = new Uint8Array(bytes.length + extra);
        longer.set(bytes);
        const error = catchError(() => readIdx(longer));
        expect(error).toBeInstanceOf(DatasetError);
        expect(error.code).toBe("TRAILING_BYTES");
        expect(error.offset).toBe(bytes.length);
        expect(error.message).toContain(`${extra} unexpected bytes`);
      }),
    );
  });

  it("rejects a bad magic number, naming the byte", () => {
    const first = catchError(() => readIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0])));
    expect(first).toMatchObject({ code: "BAD_MAGIC", offset: 0 });
    const second = catchError(() => readIdx(Uint8Array.from([0, 0x30, 8, 1, 0, 0, 0, 0])));
    expect(second).toMatchObject({ code: "BAD_MAGIC", offset: 1 });
    expect(second.message).toContain("byte 1 is 0x30");
  });

  it("rejects anything but bytes with INVALID_ARGUMENT, naming what it got (JavaScript callers)", () => {
    for (const [input, got] of [
      ["0008", "string"],
      [null, "null"],
      [undefined, "undefined"],
      [[0, 0, 8, 1], "Array"],
      [new ArrayBuffer(8), "ArrayBuffer: wrap it in new Uint8Array(buffer)"],
    ] as const) {
      const error = catchError(() => readIdx(input as never));
      expect(error).toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(error.message).toBe(`IDX: expected the file's bytes as a Uint8Array (or Buffer), got ${got}`);
    }
    expect(readIdx(Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 7])).data).toEqual(Uint8Array.of(7));
  });

  it("recognises gzip input and says to decompress it", () => {
    const error = catchError(() => readIdx(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0])));
    expect(error).toMatchObject({ code: "BAD_MAGIC", offset: 0 });
    expect(error.message).toMatch(/gzip.*decompress/);
  });

  it("rejects unknown type bytes with UNSUPPORTED_DTYPE at byte 2", () => {
    const known = new Set(Object.values(IDX_DTYPES).map((d) => d.code));
    for (let type = 0; type < 256; type++) {
      if (known.has(type)) continue;
      const error = catchError(() => readIdx(Uint8Array.from([0, 0, type, 0, 0])));
      expect(error).toMatchObject({ code: "UNSUPPORTED_DTYPE", offset: 2 });
    }
  });

  it("caps dimensions and sizes before allocating", () => {
    expect(catchError(() => readIdxHeader(Uint8Array.from([0, 0, 8, 17])))).toMatchObject({
      code: "TOO_MANY_DIMS",
      offset: 3,
    });
    const ones = Uint8Array.from([0, 0, 8, 17, ...Array.from({ length: 17 }, () => [0, 0, 0, 1]).flat()]);
    expect(readIdxHeader(ones, { maxDims: 17 }).shape).toEqual(new Array(17).fill(1));
    // 4 dimensions of 2^32 − 1 doubles: 2^131 bytes, far past the cap, and past 2^53 if multiplied blindly.
    const huge = Uint8Array.from([0, 0, 0x0e, 4, ...new Array(16).fill(0xff)]);
    const error = catchError(() => readIdx(huge));
    expect(error).toMatchObject({ code: "TOO_LARGE", offset: 4 });
    expect(
      catchError(() =>
        readIdx(writeIdx({ dtype: "uint8", shape: [11], data: new Uint8Array(11) }), { maxBytes: 10 }),
      ),
    ).toMatchObject({ code: "TOO_LARGE", offset: 4 });
  });

  it("reports the header's sizes", () => {
    const header = readIdxHeader(writeIdx({ dtype: "float64", shape: [3, 2], data: new Float64Array(6) }));
    expect(header).toEqual({
      dtype: "float64",
      shape: [3, 2],
      headerBytes: 12,
      dataBytes: 48,
      elementCount: 6,
      elementBytes: 8,
    });
  });

  it("writeIdx refuses data that does not fill the shape", () => {
    expect(
      catchError(() => writeIdx({ dtype: "uint8", shape: [2, 3], data: new Uint8Array(5) })),
    ).toMatchObject({
      code: "SHAPE_MISMATCH",
    });
    expect(
      catchError(() => writeIdx({ dtype: "uint8", shape: [1.5], data: new Uint8Array(1) })),
    ).toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
