import { Rng } from "@onebit/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { approxSign, magnitudeAwareSign, NnError, steSign, swishSign } from "../src/index.js";

const values = fc.float32Array({ minLength: 1, maxLength: 64, noNaN: true, noDefaultInfinity: true });

function run(q: ReturnType<typeof steSign>, x: Float32Array, g: Float32Array, channels = 1) {
  const y = new Float32Array(x.length);
  const gx = new Float32Array(x.length);
  q.forward(x, y, channels);
  q.backward(x, g, gx, channels);
  return { y, gx };
}

describe("sign quantizers", () => {
  it("steSign: forward sign with sign(0) = +1, gradient g·1{|x| ≤ clip} exactly", () => {
    fc.assert(
      fc.property(values, fc.constantFrom(1, 0.5, 2), (x, clip) => {
        const g = Float32Array.from(x, (_, i) => i + 1);
        const { y, gx } = run(steSign(clip), x, g);
        x.forEach((v, i) => {
          expect(y[i]).toBe(v >= 0 ? 1 : -1);
          expect(gx[i]).toBe(Math.abs(v) <= clip ? g[i] : 0);
        });
      }),
    );
    const { y, gx } = run(
      steSign(),
      Float32Array.of(0, -0, 1, -1, 1.0000001),
      Float32Array.of(3, 3, 3, 3, 3),
    );
    expect(Array.from(y)).toEqual([1, 1, 1, -1, 1]);
    expect(Array.from(gx)).toEqual([3, 3, 3, 3, 0]);
  });

  it("approxSign: gradient g·(2 − 2|x|) inside [−1, 1], 0 outside", () => {
    const x = Float32Array.of(-2, -1, -0.5, 0, 0.25, 1, 3);
    const { y, gx } = run(approxSign(), x, new Float32Array(7).fill(2));
    expect(Array.from(y)).toEqual([-1, -1, -1, 1, 1, 1, 1]);
    expect(Array.from(gx)).toEqual([0, 0, 2, 4, 3, 0, 0]);
  });

  it("swishSign: gradient is the derivative of SignSwish 2σ(βx)(1 + βx(1 − σ(βx))) − 1", () => {
    for (const beta of [5, 1.5]) {
      const signSwish = (x: number) => {
        const s = 1 / (1 + Math.exp(-beta * x));
        return 2 * s * (1 + beta * x * (1 - s)) - 1;
      };
      const x = new Rng(1).uniformArray(50, -2, 2);
      const { gx } = run(swishSign(beta), x, new Float32Array(50).fill(1));
      x.forEach((v, i) => {
        const h = 1e-5;
        const numeric = (signSwish(v + h) - signSwish(v - h)) / (2 * h);
        expect(gx[i]).toBeCloseTo(numeric, 4);
      });
    }
    const { gx } = run(swishSign(), Float32Array.of(1000, -1000), Float32Array.of(1, 1));
    expect(Array.from(gx, Math.abs)).toEqual([0, 0]);
  });

  it("magnitudeAwareSign: α_c·sign(x) with α_c = mean |x| per last-axis channel, gradient α_c·g·1{|x| ≤ 1}", () => {
    // 3 rows × 2 channels
    const x = Float32Array.of(0.5, -2, -0.25, 1, 0.75, -0.5);
    const g = Float32Array.of(1, 1, 1, 1, 1, 1);
    const { y, gx } = run(magnitudeAwareSign(), x, g, 2);
    const a0 = (0.5 + 0.25 + 0.75) / 3;
    const a1 = (2 + 1 + 0.5) / 3;
    expect(Array.from(y)).toEqual(Array.from(Float32Array.of(a0, -a1, -a0, a1, a0, -a1)));
    expect(Array.from(gx)).toEqual(Array.from(Float32Array.of(a0, 0, a0, a1, a0, a1)));
  });

  it("reject bad settings with NnError", () => {
    expect(() => steSign(0)).toThrowError(NnError);
    expect(() => swishSign(-1)).toThrowError(/beta/);
    expect(() => magnitudeAwareSign(Number.NaN)).toThrowError(/clip/);
  });
});
