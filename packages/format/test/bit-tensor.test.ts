import { bgemmRef, packSignsMatrix } from "@onebit/bitops";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bitTensorFromMatrix, bitTensorToMatrix, packBitTensor, unpackBitTensor } from "../src/index.js";

describe("bit tensors", () => {
  it("pack along the last axis and unpack back (property, odd sizes)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 3 }),
        fc.integer({ min: 1, max: 70 }),
        fc.nat(),
        (lead, last, seed) => {
          const shape = [...lead, last];
          const n = shape.reduce((a, b) => a * b, 1);
          const values = Float32Array.from({ length: n }, (_, i) =>
            ((i * 7919 + seed) % 5) - 2 >= 0 ? 1 : -1,
          );
          const t = packBitTensor(values, shape);
          expect(t.layout).toEqual({ rows: n / last, cols: last, wordsPerRow: Math.ceil(last / 32) });
          expect(Array.from(unpackBitTensor(t))).toEqual(Array.from(values));
        },
      ),
    );
  });
  it("share words with @onebit/bitops matrices (no copy) so kernels run on them", () => {
    const w = packBitTensor([1, -1, 1, -1, -1, -1], [2, 3]);
    const m = bitTensorToMatrix(w);
    expect(m.data).toBe(w.data);
    const x = packSignsMatrix([1, 1, -1], 1, 3);
    expect(Array.from(bgemmRef(x, m))).toEqual([-1, -1]);
    expect(bitTensorFromMatrix(m, [2, 1, 1, 3]).layout).toEqual({ rows: 2, cols: 3, wordsPerRow: 1 });
  });
  it("reject shapes that do not match and NaN values", () => {
    expect(() => packBitTensor([1, 2], [3])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => packBitTensor([Number.NaN], [1])).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/NaN/) }),
    );
    expect(() => bitTensorFromMatrix(packSignsMatrix([1, 1], 1, 2), [2, 1])).toThrow(/packs as 2 × 1/);
    expect(() => packBitTensor([], [])).toThrow(/rank ≥ 1/);
  });
});
