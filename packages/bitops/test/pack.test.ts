import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BitopsError, packSigns, packSignsMatrix, unpackSigns, wordsFor } from "../src/index.js";
import { sign } from "./reference.js";

const shape = fc.record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 200 }) });
const matrix = shape.chain(({ rows, cols }) =>
  fc.record({
    rows: fc.constant(rows),
    cols: fc.constant(cols),
    values: fc.float32Array({ minLength: rows * cols, maxLength: rows * cols, noNaN: true }),
    wordMultiple: fc.constantFrom(1, 2, 4),
  }),
);

describe("packSigns / unpackSigns", () => {
  it("puts +1 in bit 1 and −1 in bit 0, little-endian along the row", () => {
    const m = packSigns(Float32Array.from([1, -1, 0, -0.5, 3]));
    expect(m.cols).toBe(5);
    expect(m.wordsPerRow).toBe(1);
    expect(m.data[0]).toBe(0b10101);
  });

  it("round-trips the signs of any matrix exactly, with zero padding bits", () => {
    fc.assert(
      fc.property(matrix, ({ rows, cols, values, wordMultiple }) => {
        const m = packSignsMatrix(values, rows, cols, { wordMultiple });
        expect(m.wordsPerRow).toBe(wordsFor(cols, wordMultiple));
        expect(m.wordsPerRow % wordMultiple).toBe(0);
        expect(Array.from(unpackSigns(m))).toEqual(Array.from(values, sign));
        for (let r = 0; r < rows; r++) {
          for (let bit = cols; bit < m.wordsPerRow * 32; bit++) {
            expect((m.data[r * m.wordsPerRow + (bit >>> 5)]! >>> (bit & 31)) & 1).toBe(0);
          }
        }
      }),
    );
  });

  it("packs Int8Array ±1 and signed zero as +1", () => {
    const m = packSigns(Int8Array.from([-1, 1, 0, -1]));
    expect(Array.from(unpackSigns(m))).toEqual([-1, 1, 1, -1]);
    expect(Array.from(unpackSigns(packSigns([-0, 0])))).toEqual([1, 1]);
  });

  it("handles all-(+1) and all-(−1) vectors at word boundaries", () => {
    for (const k of [1, 31, 32, 33, 64, 65]) {
      expect(popcountOf(packSigns(new Float32Array(k).fill(1)).data)).toBe(k);
      expect(popcountOf(packSigns(new Float32Array(k).fill(-1)).data)).toBe(0);
    }
  });

  it("rejects NaN, wrong lengths and bad shapes with a BitopsError that names the problem", () => {
    expect(() => packSigns([1, Number.NaN])).toThrowError(/NaN at row 0, column 1/);
    expect(() => packSignsMatrix(new Float32Array(5), 2, 3)).toThrowError(BitopsError);
    expect(() => packSignsMatrix(new Float32Array(6), 2, 3, { wordMultiple: 0 })).toThrowError(
      /wordMultiple/,
    );
    expect(() => packSignsMatrix(new Float32Array(0), -1, 0)).toThrowError(/rows/);
    const m = packSigns([1, 2, 3]);
    expect(() => unpackSigns(m, new Float32Array(2))).toThrowError(/output holds 2/);
    try {
      packSigns([Number.NaN]);
    } catch (e) {
      expect((e as BitopsError).code).toBe("NON_FINITE");
    }
  });
});

function popcountOf(words: Uint32Array): number {
  let n = 0;
  for (const w of words) for (let i = 0; i < 32; i++) n += (w >>> i) & 1;
  return n;
}
