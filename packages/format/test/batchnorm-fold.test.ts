import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BatchNormParams,
  batchNormSign,
  type FoldArithmetic,
  foldBatchNormToFloatThresholds,
  foldBatchNormToScaleBias,
  foldBatchNormToThresholds,
} from "../src/index.js";

const real = (max: number) => fc.double({ min: -max, max, noNaN: true, noDefaultInfinity: true });
// γ includes exact zeros and signed zeros: the constant-channel cases.
const gamma = fc.oneof(real(4), fc.constantFrom(0, -0, 1, -1, 1e-12, -1e-12));

function paramsArbitrary(withPre: boolean) {
  return fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      gamma: fc.array(gamma, { minLength: n, maxLength: n }),
      beta: fc.array(fc.oneof(real(3), fc.constant(0)), { minLength: n, maxLength: n }),
      mean: fc.array(fc.oneof(real(100), fc.integer({ min: -50, max: 50 })), { minLength: n, maxLength: n }),
      variance: fc.array(fc.oneof(fc.double({ min: 0, max: 500, noNaN: true }), fc.constant(1)), {
        minLength: n,
        maxLength: n,
      }),
      epsilon: fc.constantFrom(0.001, 1e-4, 1e-5),
      ...(withPre
        ? {
            bias: fc.array(real(10), { minLength: n, maxLength: n }),
            dotScale: fc.oneof(
              fc.constantFrom(1, 1 / 255, -2, 0),
              fc.array(real(3), { minLength: n, maxLength: n }),
            ),
          }
        : {}),
    }),
  );
}

function integerBit(t: { thresholds: Int32Array; flip: Uint8Array }, c: number, x: number): number {
  return t.flip[c] ? (x <= t.thresholds[c]! ? 1 : 0) : x >= t.thresholds[c]! ? 1 : 0;
}

describe("foldBatchNormToThresholds (integer dot)", () => {
  for (const arithmetic of ["float64", "float32"] as FoldArithmetic[]) {
    it(`matches BatchNorm + sign for every x in [−K, K] (${arithmetic}, exhaustive per case)`, () => {
      fc.assert(
        fc.property(paramsArbitrary(true), fc.integer({ min: 1, max: 300 }), (p: BatchNormParams, k) => {
          const folded = foldBatchNormToThresholds(p, { min: -k, max: k }, { arithmetic });
          for (let c = 0; c < p.gamma.length; c++) {
            for (let x = -k; x <= k; x++) {
              if (integerBit(folded, c, x) !== batchNormSign(p, c, x, arithmetic)) {
                throw new Error(
                  `channel ${c}, x = ${x}: τ = ${folded.thresholds[c]}, flip = ${folded.flip[c]}`,
                );
              }
            }
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it("puts τ exactly on an integer boundary (sign(0) = +1) and flips for γ < 0", () => {
    const p = { gamma: [1, -1, 2], beta: [0, 0, -1], mean: [3, 3, 0], variance: [1, 1, 4], epsilon: 0 };
    const { thresholds, flip } = foldBatchNormToThresholds(p, { min: -10, max: 10 });
    // γ > 0: x ≥ μ − βσ/γ = 3; γ < 0: x ≤ 3; channel 2: x ≥ 0 + 1·2/2 = 1.
    expect([...thresholds]).toEqual([3, 3, 1]);
    expect([...flip]).toEqual([0, 1, 0]);
    expect(batchNormSign(p, 0, 3)).toBe(1);
    expect(batchNormSign(p, 0, 2)).toBe(0);
  });

  it("agrees with the closed forms ceil(μ − βσ/γ) and floor(μ − βσ/γ) away from ties", () => {
    const p = {
      gamma: [0.7, -1.3],
      beta: [0.25, -0.4],
      mean: [5.1, -2.2],
      variance: [2.5, 0.8],
      epsilon: 1e-5,
    };
    const { thresholds } = foldBatchNormToThresholds(p, { min: -100, max: 100 });
    const s = p.variance.map((v) => Math.sqrt(v + p.epsilon));
    expect(thresholds[0]).toBe(Math.ceil(p.mean[0]! - (p.beta[0]! * s[0]!) / p.gamma[0]!));
    expect(thresholds[1]).toBe(Math.floor(p.mean[1]! - (p.beta[1]! * s[1]!) / p.gamma[1]!));
  });

  it("encodes γ = 0 as a constant: always 1 when β ≥ 0 (sign(0) = +1), never when β < 0", () => {
    const p = { gamma: [0, 0, -0], beta: [0, -0.5, 2], mean: [1, 1, 1], variance: [1, 1, 1], epsilon: 1e-3 };
    const { thresholds, flip } = foldBatchNormToThresholds(p, { min: -64, max: 64 });
    expect([...flip]).toEqual([0, 0, 0]);
    expect([...thresholds]).toEqual([-64, 65, -64]);
    // Default range: the int32 extremes the format treats as "always" and "never".
    expect([...foldBatchNormToThresholds(p).thresholds]).toEqual([
      -(2 ** 31 - 2),
      2 ** 31 - 1,
      -(2 ** 31 - 2),
    ]);
  });

  it("clamps to the range when the boundary lies outside it", () => {
    const p = { gamma: [1, 1, -1], beta: [100, -100, 100], mean: [0, 0, 0], variance: [1, 1, 1], epsilon: 0 };
    const { thresholds } = foldBatchNormToThresholds(p, { min: -10, max: 10 });
    expect([...thresholds]).toEqual([-10, 11, 10]);
  });

  it("rejects inconsistent or non-finite parameters", () => {
    const ok = { gamma: [1], beta: [0], mean: [0], variance: [1], epsilon: 1e-5 };
    const bad = (p: object, range?: object) => () =>
      foldBatchNormToThresholds({ ...ok, ...p } as BatchNormParams, range as never);
    expect(bad({ beta: [0, 1] })).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: expect.stringMatching(/beta: 2 entries, gamma has 1/),
      }),
    );
    expect(bad({ variance: [-1], epsilon: 0 })).toThrow(/channel 0: sigma is NaN/);
    expect(bad({ mean: [Number.NaN] })).toThrow(/mean is NaN/);
    expect(bad({ dotScale: [1, 2] })).toThrow(/dotScale/);
    expect(bad({ epsilon: -1 })).toThrow(/epsilon/);
    expect(bad({}, { min: 5, max: 1 })).toThrow(/dotRange/);
    expect(bad({}, { min: -(2 ** 31), max: 0 })).toThrow(/dotRange/);
    expect(() => batchNormSign(ok, 1, 0)).toThrow(/channel 1 outside/);
  });
});

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float32 neighbours of x (x itself included), for probing a threshold's edges. */
function around(x: number): number[] {
  if (!Number.isFinite(x))
    return [x === Number.POSITIVE_INFINITY ? 3.4028234663852886e38 : -3.4028234663852886e38];
  f32[0] = x;
  const out = [f32[0]!];
  for (const step of [-2, -1, 1, 2]) {
    f32[0] = x;
    const neg = f32[0]! < 0 || Object.is(f32[0], -0);
    u32[0] = neg ? u32[0]! - step : u32[0]! + step;
    if (Number.isFinite(f32[0]!)) out.push(f32[0]!);
  }
  return out;
}

describe("foldBatchNormToFloatThresholds (float pre-activation)", () => {
  for (const arithmetic of ["float64", "float32"] as FoldArithmetic[]) {
    it(`matches BatchNorm + sign at the threshold, its float32 neighbours and random points (${arithmetic})`, () => {
      fc.assert(
        fc.property(
          paramsArbitrary(true),
          fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 20 }),
          (p, zs) => {
            const { thresholds, flip } = foldBatchNormToFloatThresholds(p, { arithmetic });
            for (let c = 0; c < p.gamma.length; c++) {
              const probes = [...around(thresholds[c]!), ...zs, 0, -0, 1, -1];
              for (const z of probes) {
                const bit = flip[c] ? z <= thresholds[c]! : z >= thresholds[c]!;
                if ((bit ? 1 : 0) !== batchNormSign(p, c, z, arithmetic)) {
                  throw new Error(`channel ${c}, z = ${z}: θ = ${thresholds[c]}, flip = ${flip[c]}`);
                }
              }
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it("uses ±∞ for constant channels", () => {
    const p = { gamma: [0, 0], beta: [1, -1], mean: [0, 0], variance: [1, 1], epsilon: 0 };
    expect([...foldBatchNormToFloatThresholds(p).thresholds]).toEqual([
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
  });
});

describe("foldBatchNormToScaleBias (logits)", () => {
  it("equals BatchNorm of the pre-activation within float32 rounding", () => {
    fc.assert(
      fc.property(paramsArbitrary(true), fc.integer({ min: -500, max: 500 }), (p, x) => {
        const { scale, bias } = foldBatchNormToScaleBias(p);
        const ds = p.dotScale ?? 1;
        for (let c = 0; c < p.gamma.length; c++) {
          const sigma = Math.sqrt(p.variance[c]! + p.epsilon);
          const z = (typeof ds === "number" ? ds : ds[c]!) * x + (p.bias?.[c] ?? 0);
          const expected = (p.gamma[c]! * (z - p.mean[c]!)) / sigma + p.beta[c]!;
          const got = scale[c]! * x + bias[c]!;
          const tol = 1e-5 * (Math.abs(scale[c]! * x) + Math.abs(bias[c]!) + 1);
          expect(Math.abs(got - expected)).toBeLessThanOrEqual(tol);
        }
      }),
      { numRuns: 300 },
    );
  });
});
