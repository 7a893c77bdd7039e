import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  BitopsError,
  bgemm,
  bgemmRef,
  bgemmScaleBias,
  bgemmThreshold,
  bitPlaneGemm,
  bitPlaneGemmRef,
  bitPlaneGemmScaleBias,
  bitPlaneGemmThreshold,
  createBitMatrix,
  encodeBitPlanes,
  packSignsMatrix,
  prepackWeights,
  scaleBiasRef,
  setBackend,
  thresholdRef,
  unprepackWeights,
} from "../src/index.js";
import { BACKENDS, randomBytes, randomValues } from "./backends.js";

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Shapes with odd M and N, one row, one column, K from 1 to 5000 (word boundaries included). */
const shape = fc.record({
  m: fc.oneof(fc.constantFrom(1, 2, 3, 5), fc.integer({ min: 1, max: 37 })),
  n: fc.oneof(fc.constantFrom(1, 3, 4, 5), fc.integer({ min: 1, max: 41 })),
  k: fc.oneof(
    fc.constantFrom(1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 4096, 5000),
    fc.integer({ min: 1, max: 5000 }),
  ),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  wordMultiple: fc.constantFrom(1, 2, 4),
});

/** Thresholds around the dot range, including the "always 1"/"always 0" extremes and random flips. */
function thresholdsFor(n: number, k: number, seed: number): { thresholds: Int32Array; flip: Uint8Array } {
  const r = randomValues(2 * n, seed ^ 0x5bd1e995);
  const thresholds = new Int32Array(n);
  const flip = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const pick = Math.floor((r[j]! + 1) * 5);
    thresholds[j] =
      pick === 0
        ? INT_MIN
        : pick === 1
          ? INT_MAX
          : pick === 2
            ? k
            : pick === 3
              ? -k
              : Math.round(r[n + j]! * k);
    flip[j] = r[n + j]! > 0 ? 1 : 0;
  }
  return { thresholds, flip };
}

afterAll(() => {
  setBackend("auto");
});

describe.each(BACKENDS)("binary GEMM kernels, backend %s", (backend) => {
  it("bgemm, bgemmThreshold and bgemmScaleBias are bit-exact against the references", () => {
    setBackend(backend);
    fc.assert(
      fc.property(shape, ({ m, n, k, seed, wordMultiple }) => {
        const A = packSignsMatrix(randomValues(m * k, seed), m, k, { wordMultiple });
        const W = packSignsMatrix(randomValues(n * k, seed + 1), n, k);
        const ref = bgemmRef(A, W);
        const pw = prepackWeights(W);
        expect(bgemm(A, pw)).toEqual(ref);

        const { thresholds, flip } = thresholdsFor(n, k, seed);
        const bits = bgemmThreshold(A, pw, thresholds, flip);
        const expected = thresholdRef(ref, m, n, thresholds, flip);
        expect(bits.wordsPerRow).toBe(expected.wordsPerRow);
        expect(bits.data).toEqual(expected.data);

        const scale = randomValues(n, seed + 2);
        const bias = randomValues(n, seed + 3);
        expect(bgemmScaleBias(A, pw, scale, bias)).toEqual(scaleBiasRef(ref, m, n, scale, bias));
      }),
      { numRuns: 40 },
    );
  });

  it("bit-plane GEMM and its variants equal the exact 8-bit × ±1 products", () => {
    setBackend(backend);
    fc.assert(
      fc.property(shape, ({ m, n, k, seed, wordMultiple }) => {
        const X = encodeBitPlanes(randomBytes(m * k, seed), m, k, wordMultiple);
        const W = packSignsMatrix(randomValues(n * k, seed + 1), n, k);
        const ref = bitPlaneGemmRef(X, W);
        expect(bitPlaneGemm(X, W)).toEqual(ref);
        const pw = prepackWeights(W);
        expect(bitPlaneGemm(X, pw)).toEqual(ref);
        const { thresholds, flip } = thresholdsFor(n, 255 * k, seed);
        expect(bitPlaneGemmThreshold(X, pw, thresholds, flip).data).toEqual(
          thresholdRef(ref, m, n, thresholds, flip).data,
        );
        const scale = randomValues(n, seed + 2);
        const bias = randomValues(n, seed + 3);
        expect(bitPlaneGemmScaleBias(X, pw, scale, bias)).toEqual(scaleBiasRef(ref, m, n, scale, bias));
      }),
      { numRuns: 25 },
    );
  });

  it("saturated bit planes (all 255) against all −1 weights give −255·K", () => {
    setBackend(backend);
    const k = 784;
    const X = encodeBitPlanes(new Uint8Array(3 * k).fill(255), 3, k);
    const W = packSignsMatrix(new Float32Array(5 * k).fill(-1), 5, k);
    expect(Array.from(bitPlaneGemm(X, W))).toEqual(new Array(15).fill(-255 * k));
  });

  it("writes into caller-provided outputs, and threshold output rows feed the next layer", () => {
    setBackend(backend);
    const [m, k, n, n2] = [3, 100, 70, 9];
    const A = packSignsMatrix(randomValues(m * k, 7), m, k);
    const W1 = packSignsMatrix(randomValues(n * k, 8), n, k);
    const W2 = packSignsMatrix(randomValues(n2 * n, 9), n2, n);
    const out = new Int32Array(m * n);
    expect(bgemm(A, prepackWeights(W1), out)).toBe(out);
    expect(out).toEqual(bgemmRef(A, W1));
    const thresholds = new Int32Array(n);
    const flip = new Uint8Array(n);
    const hidden = createBitMatrix(m, n, 4);
    hidden.data.fill(0xffffffff);
    expect(bgemmThreshold(A, prepackWeights(W1), thresholds, flip, hidden)).toBe(hidden);
    // Padding bits past N are zero, so the packed output is a valid activation matrix.
    for (let r = 0; r < m; r++) {
      for (let bit = n; bit < hidden.wordsPerRow * 32; bit++) {
        expect((hidden.data[r * hidden.wordsPerRow + (bit >>> 5)]! >>> (bit & 31)) & 1).toBe(0);
      }
    }
    expect(bgemm(hidden, prepackWeights(W2))).toEqual(bgemmRef(hidden, W2));
  });

  it("ignores garbage past K in activation rows", () => {
    setBackend(backend);
    const A = packSignsMatrix(randomValues(2 * 40, 3), 2, 40, { wordMultiple: 4 });
    const W = packSignsMatrix(randomValues(3 * 40, 4), 3, 40);
    const ref = bgemmRef(A, W);
    const dirty = { ...A, data: A.data.slice() };
    dirty.data[1]! |= 0xffffff00;
    dirty.data[3] = 0xdeadbeef;
    expect(bgemm(dirty, prepackWeights(W))).toEqual(ref);
  });
});

describe("prepackWeights", () => {
  it("round-trips through unprepackWeights, with zero padding", () => {
    fc.assert(
      fc.property(shape, ({ n, k, seed }) => {
        const W = packSignsMatrix(randomValues(n * k, seed), n, k);
        const p = prepackWeights(W);
        expect(p.wordsPerRow % 4).toBe(0);
        expect(p.panels).toBe(Math.ceil(n / 4));
        expect(unprepackWeights(p)).toEqual(W);
      }),
      { numRuns: 30 },
    );
  });

  it("interleaves 4 columns per 64-bit word", () => {
    const W = packSignsMatrix(new Float32Array(5 * 64).fill(-1), 5, 64);
    W.data[2 * 2 + 1] = 0x12345678; // column 2, second 32-bit word
    const p = prepackWeights(W);
    expect(p.data[(0 * 4 + 2) * 2 + 1]).toBe(0x12345678);
  });

  it("rejects mismatched shapes and short epilogue arrays with BitopsError", () => {
    const A = packSignsMatrix(new Float32Array(2 * 10), 2, 10);
    const W = prepackWeights(packSignsMatrix(new Float32Array(3 * 12), 3, 12));
    expect(() => bgemm(A, W)).toThrowError(/K = 10.*K = 12/);
    const W10 = prepackWeights(packSignsMatrix(new Float32Array(3 * 10), 3, 10));
    expect(() => bgemmThreshold(A, W10, new Int32Array(2), new Uint8Array(3))).toThrowError(/thresholds/);
    expect(() => bgemmScaleBias(A, W10, new Float32Array(3), new Float32Array(1))).toThrowError(/bias/);
    expect(() => bgemm(A, W10, new Int32Array(5))).toThrowError(/out holds 5/);
    try {
      bgemm(A, W);
    } catch (e) {
      expect(e).toBeInstanceOf(BitopsError);
      expect((e as BitopsError).code).toBe("SHAPE_MISMATCH");
    }
  });
});
