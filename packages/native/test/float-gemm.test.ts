// The native float GEMM (csrc/sgemm*.c) for every float ISA this CPU runs, against a plain float64
// triple loop (the same definition as @onebit/tensor's gemmRef, which this package cannot import:
// @onebit/tensor depends on it): every transposition, alpha/beta, edge and random shapes, views
// over a WebAssembly.Memory read and written in place, and malformed calls rejected untouched.
import { describe, expect, it } from "vitest";
import { type NativeFloatGemm, loadNativeFloatGemm } from "../src/index.js";
import { mustRun, pick, randomValues } from "./support.js";

function gemmRef(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++)
        acc += (transA ? a[p * m + i]! : a[i * k + p]!) * (transB ? b[j * k + p]! : b[p * n + j]!);
      c[i * n + j] = alpha * acc + (beta === 0 ? 0 : beta * c[i * n + j]!);
    }
  }
}

/** Max |a − b| over the largest |reference| (at least 1): float32 sums of k terms compare fairly. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let scale = 1;
  let err = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) err = Math.max(err, Math.abs(actual[i]! - expected[i]!));
  return err / scale;
}

// M, N, K of 1, odd, around the register tiles (12×32, 6×16, 4×8), the blocks (MC 144, KC 256)
// and seeded random ones.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 1, 300],
  [1, 37, 5],
  [13, 1, 7],
  [12, 32, 256],
  [6, 16, 257],
  [11, 31, 255],
  [145, 33, 17],
  [7, 65, 513],
  [150, 70, 300],
  ...Array.from({ length: 8 }, (_, i): [number, number, number] => [
    pick(400 + i, 1, 200),
    pick(500 + i, 1, 200),
    pick(600 + i, 1, 600),
  ]),
];
const TRANSPOSES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

const best = loadNativeFloatGemm();
const isas = best.gemm?.isas ?? [];
const forIsa = (isa: string): NativeFloatGemm => {
  const status = loadNativeFloatGemm({ isa });
  if (!status.gemm) throw new Error(status.error);
  return status.gemm;
};

describe("native float GEMM", () => {
  it("loads where this repository builds a binary, with the ISAs this CPU runs", () => {
    if (mustRun) expect(best.error).toBeUndefined();
    expect(isas).toContain("scalar");
    expect(best.gemm?.isa).toBe(isas[0]);
  });

  for (const isa of isas) {
    it(`${isa}: matches the reference on every shape and transposition`, () => {
      const gemm = forIsa(isa);
      expect(gemm.isa).toBe(isa);
      SHAPES.forEach(([m, n, k], s) => {
        for (const [transA, transB] of TRANSPOSES) {
          const [alpha, beta] = [
            [1, 0],
            [-0.5, 1],
            [2, 0.25],
          ][s % 3]!;
          const a = randomValues(m * k, 3 * s + 1);
          const b = randomValues(k * n, 3 * s + 2);
          const c = randomValues(m * n, 3 * s + 3);
          const expected = c.slice();
          gemm.sgemm(a, b, c, m, n, k, transA, transB, alpha!, beta!);
          gemmRef(a, b, expected, m, n, k, transA, transB, alpha!, beta!);
          const err = relativeError(c, expected);
          expect(err, `${isa} ${m}×${n}×${k} transA=${transA} transB=${transB}`).toBeLessThan(1e-5);
        }
      });
    });
  }

  for (const isa of isas) {
    it(`${isa}: gives the same bits on 1, 2 and 3 threads (split by rows or by columns)`, () => {
      const gemm = forIsa(isa);
      for (const [m, n, k] of [
        [300, 17, 900],
        [13, 700, 400],
        [145, 190, 260],
      ] as const) {
        for (const [transA, transB] of TRANSPOSES) {
          const a = randomValues(m * k, m);
          const b = randomValues(k * n, n);
          const one = randomValues(m * n, k);
          const two = one.slice();
          const three = one.slice();
          gemm.sgemm(a, b, one, m, n, k, transA, transB, 0.5, 0.25, 1);
          gemm.sgemm(a, b, two, m, n, k, transA, transB, 0.5, 0.25, 2);
          gemm.sgemm(a, b, three, m, n, k, transA, transB, 0.5, 0.25, 3);
          expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
          expect(Buffer.from(three.buffer).equals(Buffer.from(one.buffer))).toBe(true);
          const expected = randomValues(m * n, k);
          gemmRef(a, b, expected, m, n, k, transA, transB, 0.5, 0.25);
          expect(relativeError(three, expected)).toBeLessThan(1e-5);
        }
      }
    });
  }

  for (const isa of isas) {
    it(`${isa}: beta = 0 stores the first depth slice: a NaN-filled C gives the bytes of a zeroed one`, () => {
      const gemm = forIsa(isa);
      // K over two 256-deep slices, edge tiles both ways, and sums that cancel to zero exactly.
      for (const [m, n, k] of [
        [29, 37, 300],
        [1, 5, 3],
      ] as const) {
        const a = randomValues(m * k, m).map((v, i) => (i % 7 === 0 ? -0 : Math.round(v * 4)));
        const b = randomValues(k * n, n).map((v) => Math.round(v * 4));
        const zeroed = new Float32Array(m * n);
        const nan = new Float32Array(m * n).fill(Number.NaN);
        for (const threads of [1, 3]) {
          gemm.sgemm(a, b, zeroed, m, n, k, false, true, 1, 0, threads);
          gemm.sgemm(a, b, nan, m, n, k, false, true, 1, 0, threads);
          expect(Buffer.from(nan.buffer).equals(Buffer.from(zeroed.buffer))).toBe(true);
        }
        const expected = new Float32Array(m * n);
        gemmRef(a, b, expected, m, n, k, false, true, 1, 0);
        expect(Buffer.from(zeroed.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
      }
    });
  }

  it("beta = 0 ignores NaN in C; k = 0 or alpha = 0 only scales C", () => {
    const gemm = forIsa(isas[0]!);
    const c = new Float32Array(6).fill(Number.NaN);
    gemm.sgemm(Float32Array.of(1, 2), Float32Array.of(3, 4, 5), c, 2, 3, 1, false, false, 1, 0);
    expect([...c]).toEqual([3, 4, 5, 6, 8, 10]);
    gemm.sgemm(new Float32Array(0), new Float32Array(0), c, 2, 3, 0, false, false, 1, 0.5);
    expect([...c]).toEqual([1.5, 2, 2.5, 3, 4, 5]);
    gemm.sgemm(Float32Array.of(1, 2), Float32Array.of(3, 4, 5), c, 2, 3, 1, false, false, 0, 2);
    expect([...c]).toEqual([3, 4, 5, 6, 8, 10]);
  });

  it("works in place on views over a WebAssembly.Memory, touching only C", () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true });
    const [m, n, k] = [20, 40, 50];
    const a = new Float32Array(memory.buffer, 64, m * k);
    const b = new Float32Array(memory.buffer, 64 + 4 * m * k + 4, k * n); // not 64-byte aligned
    const c = new Float32Array(memory.buffer, 64 + 4 * (m * k + k * n) + 8, m * n);
    a.set(randomValues(m * k, 7));
    b.set(randomValues(k * n, 8));
    const before = new Uint8Array(memory.buffer).slice();
    const expected = new Float32Array(m * n);
    gemmRef(a, b, expected, m, n, k, false, true, 1, 0);
    forIsa(isas[0]!).sgemm(a, b, c, m, n, k, false, true, 1, 0);
    expect(relativeError(c, expected)).toBeLessThan(1e-5);
    const after = new Uint8Array(memory.buffer);
    const cStart = c.byteOffset;
    const cEnd = cStart + c.byteLength;
    const changed: number[] = [];
    for (let i = 0; i < after.length; i++)
      if ((i < cStart || i >= cEnd) && after[i] !== before[i]) changed.push(i);
    expect(changed).toEqual([]);
  });

  it("rejects short arrays, negative sizes, wrong types and unknown ISAs without writing", () => {
    const gemm = forIsa(isas[0]!);
    const c = new Float32Array(6).fill(9);
    const call = (a: unknown, b: unknown, cc: unknown, m: number, n: number, k: number) => () =>
      gemm.sgemm(a as Float32Array, b as Float32Array, cc as Float32Array, m, n, k, false, false, 1, 0);
    expect(call(new Float32Array(3), new Float32Array(6), c, 2, 3, 2)).toThrow(
      expect.objectContaining({
        code: "ERR_ONEBIT_BOUNDS",
        message: expect.stringMatching(/a \(m×k\) has 3 floats, needs 4/),
      }),
    );
    expect(call(new Float32Array(4), new Float32Array(5), c, 2, 3, 2)).toThrow(
      /b \(k×n\) has 5 floats, needs 6/,
    );
    expect(call(new Float32Array(4), new Float32Array(6), new Float32Array(5), 2, 3, 2)).toThrow(/c \(m×n\)/);
    expect(call(new Float32Array(4), new Float32Array(6), c, -2, 3, 2)).toThrow(
      expect.objectContaining({ code: "ERR_ONEBIT_ARGS" }),
    );
    expect(call(new Float64Array(4), new Float32Array(6), c, 2, 3, 2)).toThrow(/a must be a Float32Array/);
    expect([...c]).toEqual([9, 9, 9, 9, 9, 9]);
    expect(loadNativeFloatGemm({ isa: "sse9" }).error).toMatch(/float GEMM ISA sse9 does not run here/);
  });

  it("follows ONEBIT_NATIVE_ISA", () => {
    const before = process.env.ONEBIT_NATIVE_ISA;
    process.env.ONEBIT_NATIVE_ISA = "scalar";
    try {
      expect(loadNativeFloatGemm().gemm?.isa).toBe("scalar");
    } finally {
      if (before === undefined) delete process.env.ONEBIT_NATIVE_ISA;
      else process.env.ONEBIT_NATIVE_ISA = before;
    }
  });
});
