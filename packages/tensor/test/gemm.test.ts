import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { getBackendInfo, setBackend } from "../src/backend.js";
import { TensorError } from "../src/errors.js";
import { gemm } from "../src/gemm.js";
import { gemmRef } from "../src/gemm-ref.js";
import { maxRelativeError, randomArray } from "./helpers.js";

const backends = ["typescript", ...(getBackendInfo().simd ? ["wasm-simd" as const] : [])] as const;

afterEach(() => setBackend("auto"));

function check(
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
  seed: number,
): void {
  const a = randomArray(m * k, seed);
  const b = randomArray(k * n, seed + 1);
  const c0 = randomArray(m * n, seed + 2);
  const expected = c0.slice();
  gemmRef(a, b, expected, m, n, k, { transA, transB, alpha, beta });
  const actual = c0.slice();
  gemm(a, b, actual, m, n, k, { transA, transB, alpha, beta });
  expect(maxRelativeError(actual, expected)).toBeLessThan(1e-5 * Math.max(1, Math.sqrt(k)));
}

describe.each(backends)("gemm (%s) matches gemmRef", (backend) => {
  it("on random shapes, all transposes, alpha and beta", () => {
    setBackend(backend);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(1, -0.5, 2),
        fc.constantFrom(0, 1, 0.25),
        fc.integer({ min: 0, max: 1000 }),
        (m, n, k, transA, transB, alpha, beta, seed) => check(m, n, k, transA, transB, alpha, beta, seed),
      ),
      { numRuns: 150 },
    );
  });

  it.each([
    [1, 1, 1],
    [1, 1024, 33],
    [64, 1, 17],
    [5, 17, 3],
    [4, 16, 4],
    [13, 35, 129],
    [67, 131, 259],
  ])("at %i×%i×%i (m×n×k)", (m, n, k) => {
    setBackend(backend);
    for (const transA of [false, true])
      for (const transB of [false, true]) check(m, n, k, transA, transB, 1.5, 0.5, m + n + k);
  });

  // Larger than one cache block in every dimension (MC = 128, KC = 256, NC = 1024 in the WASM kernel),
  // with N an exact multiple of the panel width and N = NC exactly: edge and block boundaries.
  it.each([
    [130, 1040, 260],
    [3, 1024, 513],
    [129, 33, 257],
  ])(
    "across cache-block boundaries at %i×%i×%i (m×n×k)",
    (m, n, k) => {
      setBackend(backend);
      for (const transA of [false, true])
        for (const transB of [false, true]) check(m, n, k, transA, transB, 1, 0, m * n + k);
    },
    60_000,
  ); // ~70 M multiply-adds through the plain reference: slow on a busy machine, not a timing test

  it("gives the same answers when calls of different sizes alternate (memory reuse and growth)", () => {
    setBackend(backend);
    for (const [m, n, k] of [
      [70, 90, 110],
      [5, 2000, 300],
      [70, 90, 110],
      [2, 3, 4],
    ] as const)
      check(m, n, k, false, true, 1, 1, m + n);
  });

  it("ignores NaN in C when beta is 0 and handles k = 0", () => {
    setBackend(backend);
    const c = new Float32Array([Number.NaN, Number.NaN]);
    gemm(new Float32Array([1, 2]), new Float32Array([3, 4]), c, 2, 1, 1);
    expect([...c]).toEqual([3, 6]);
    const d = new Float32Array([1, 2]);
    gemm(new Float32Array(0), new Float32Array(0), d, 1, 2, 0, { beta: 2 });
    expect([...d]).toEqual([2, 4]);
  });
});

describe("gemm validation", () => {
  it("rejects short buffers and bad dimensions with TensorError", () => {
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    const c = new Float32Array(4);
    expect(() => gemm(a, b, c, 2, 2, 4)).toThrow(TensorError);
    expect(() => gemm(a, new Float32Array(9), c, 2, 3, 3)).toThrow(/gemm C/);
    expect(() => gemm(a, b, c, -1, 2, 3)).toThrow(/m must be a non-negative integer/);
    expect(() => gemm(a, b, c, 2.5, 2, 3)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => gemm(a, b, c, 2, 2, 3, { transB: true })).not.toThrow();
  });
});
