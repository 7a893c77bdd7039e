import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bgemmRef, packSigns, packSignsMatrix, popcount32, popcountRange, xnorDot } from "../src/index.js";
import { naiveDot, naiveGemm } from "./reference.js";

const naivePopcount = (x: number) => {
  let n = 0;
  for (let i = 0; i < 32; i++) n += (x >>> i) & 1;
  return n;
};

describe("popcount32", () => {
  it("counts bits of any 32-bit word", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (x) => popcount32(x) === naivePopcount(x)),
    );
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(-1)).toBe(32);
  });

  it("popcountRange sums a word range and rejects out-of-range bounds", () => {
    const w = Uint32Array.from([1, 3, 7, 0xffffffff]);
    expect(popcountRange(w)).toBe(1 + 2 + 3 + 32);
    expect(popcountRange(w, 1, 3)).toBe(5);
    expect(() => popcountRange(w, 2, 9)).toThrowError(/outside/);
  });
});

const vectors = fc
  .oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(1, 31, 32, 33, 64, 96, 128))
  .chain((k) =>
    fc.tuple(
      fc.float32Array({ minLength: k, maxLength: k, noNaN: true }),
      fc.float32Array({ minLength: k, maxLength: k, noNaN: true }),
    ),
  );

describe("xnorDot", () => {
  it("equals the naive ±1 dot product for any K", () => {
    fc.assert(
      fc.property(vectors, ([a, b]) => {
        expect(xnorDot(packSigns(a).data, packSigns(b).data, a.length)).toBe(naiveDot(a, b));
      }),
    );
  });

  it("gives ±K for equal and opposite vectors", () => {
    for (const k of [1, 32, 33, 1000]) {
      const plus = packSigns(new Float32Array(k).fill(1)).data;
      const minus = packSigns(new Float32Array(k).fill(-1)).data;
      expect(xnorDot(plus, plus, k)).toBe(k);
      expect(xnorDot(plus, minus, k)).toBe(-k);
      expect(xnorDot(minus, minus, k)).toBe(k);
    }
  });

  it("ignores garbage in padding bits and rejects short arrays", () => {
    const a = Uint32Array.from([0xffffffff]);
    const b = Uint32Array.from([0x0000ffff]);
    expect(xnorDot(a, b, 16)).toBe(16);
    expect(() => xnorDot(a, b, 33)).toThrowError(/needs 2 words/);
    expect(xnorDot(a, b, 0)).toBe(0);
  });

  it("takes packSigns' BitMatrix as it is (the natural call) and rejects anything else with a typed error", () => {
    fc.assert(
      fc.property(vectors, ([a, b]) => {
        expect(xnorDot(packSigns(a), packSigns(b), a.length)).toBe(naiveDot(a, b));
        expect(popcountRange(packSigns(a))).toBe(popcountRange(packSigns(a).data));
      }),
    );
    const v = packSigns(Float32Array.from([1, -1, 1]));
    const bad: unknown[] = [
      [1, 0, 1],
      Int32Array.from([5]),
      new Float32Array(1),
      null,
      undefined,
      7,
      { data: [1] },
    ];
    for (const x of bad) {
      expect(() => xnorDot(x as Uint32Array, v, 3)).toThrow(
        expect.objectContaining({
          name: "BitopsError",
          code: "INVALID_ARGUMENT",
          message: expect.stringMatching(/xnorDot: a must be/),
        }),
      );
      expect(() => xnorDot(v, x as Uint32Array, 3)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
      expect(() => popcountRange(x as Uint32Array)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
    }
    expect(() => xnorDot(v, v, 3, Number.NaN)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => xnorDot(v, v, 3, 0, -1)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("bgemmRef", () => {
  const gemmCase = fc
    .record({
      m: fc.integer({ min: 1, max: 5 }),
      n: fc.integer({ min: 1, max: 5 }),
      k: fc.integer({ min: 1, max: 130 }),
      wordMultiple: fc.constantFrom(1, 2, 4),
    })
    .chain((s) =>
      fc.record({
        s: fc.constant(s),
        a: fc.float32Array({ minLength: s.m * s.k, maxLength: s.m * s.k, noNaN: true }),
        b: fc.float32Array({ minLength: s.n * s.k, maxLength: s.n * s.k, noNaN: true }),
      }),
    );

  it("matches the naive ±1 GEMM on random shapes, including one row and one column", () => {
    fc.assert(
      fc.property(gemmCase, ({ s, a, b }) => {
        const A = packSignsMatrix(a, s.m, s.k, { wordMultiple: s.wordMultiple });
        const B = packSignsMatrix(b, s.n, s.k);
        expect(Array.from(bgemmRef(A, B))).toEqual(Array.from(naiveGemm(a, b, s.m, s.n, s.k)));
      }),
    );
  });

  it("rejects operands with different K", () => {
    const A = packSignsMatrix(new Float32Array(6), 2, 3);
    const B = packSignsMatrix(new Float32Array(8), 2, 4);
    expect(() => bgemmRef(A, B)).toThrowError(/K = 3.*K = 4/);
  });
});
