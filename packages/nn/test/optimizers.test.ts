import { describe, expect, it } from "vitest";
import {
  adam,
  bop,
  cosineDecay,
  createParam,
  exponentialDecay,
  multiOptimizer,
  NnError,
  type Optimizer,
  type Param,
  sgd,
  stepDecay,
} from "../src/index.js";

/** f(w) = ½ Σ aᵢ(wᵢ − cᵢ)², minimized at c. */
const a = Float32Array.of(1, 4, 0.5, 2);
const c = Float32Array.of(0.5, -1, 2, 0);

function minimize(opt: Optimizer, steps: number, param?: Param): Float32Array {
  const p = param ?? createParam("q/w", [4], "real", new Float32Array(4));
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < 4; i++) p.grad[i] = a[i]! * (p.value[i]! - c[i]!);
    opt.step([p]);
  }
  return p.value;
}

describe("optimizers on a quadratic", () => {
  it("sgd, sgd with momentum and adam converge to the minimum", () => {
    for (const [opt, steps] of [
      [sgd({ learningRate: 0.2 }), 200],
      [sgd({ learningRate: 0.05, momentum: 0.9 }), 300],
      [adam({ learningRate: 0.05 }), 1500],
    ] as const) {
      const w = minimize(opt, steps);
      w.forEach((v, i) => {
        expect(v, opt.name).toBeCloseTo(c[i]!, 2);
      });
    }
  });

  it("adam's first step moves every weight by the learning rate against the gradient sign", () => {
    const p = createParam("q/w", [4], "real", new Float32Array(4));
    minimize(adam({ learningRate: 0.01 }), 1, p);
    p.value.forEach((v, i) => {
      expect(v).toBeCloseTo(0.01 * Math.sign(c[i]!), 6);
    });
  });

  it("adam's weightDecay shrinks real parameters by lr·wd·w per step (AdamW) and leaves binary ones alone", () => {
    const start = Float32Array.of(1, -2, 0.5, 3);
    const real = createParam("d/w", [4], "real", start.slice());
    const latent = createParam("b/w", [4], "binary", start.slice());
    const opt = adam({ learningRate: 0.1, weightDecay: 0.01 });
    // Zero gradients: Adam's own update is exactly zero, only the decay acts.
    for (let t = 0; t < 5; t++) opt.step([real, latent]);
    const expected = start.map((w) => {
      let v = w;
      for (let t = 0; t < 5; t++) v = Math.fround(v * (1 - 0.1 * 0.01));
      return v;
    });
    expect(Array.from(real.value)).toEqual(Array.from(expected));
    expect(Array.from(latent.value)).toEqual(Array.from(start));
    expect(() => adam({ weightDecay: -1 })).toThrowError(/weightDecay/);
  });

  it("perLayerScaling multiplies the rate by each parameter's lrScale", () => {
    const p = createParam("q/w", [4], "binary", new Float32Array(4), undefined, 3);
    minimize(sgd({ learningRate: 0.01, perLayerScaling: true }), 1, p);
    p.value.forEach((v, i) => {
      expect(v).toBeCloseTo(0.03 * a[i]! * c[i]!, 6);
    });
  });

  it("bop flips a weight once the gradient average exceeds the threshold in its direction", () => {
    const p = createParam("b/w", [4], "binary", Float32Array.of(0.3, -0.7, 1, -1));
    const opt = bop({ threshold: 0.15, gamma: 0.5 });
    p.grad.set([1, 1, -1, -1]);
    opt.step([p]); // m = 0.5·g: |m| > τ; w and m agree for 0 (+,+) and 3 (−,−) → flipped
    expect(Array.from(p.value)).toEqual([-1, -1, 1, 1]);
    p.grad.set([0, 0, 0, 0]);
    opt.step([p]); // m decays to ±0.25, now pointing against every weight: nothing flips
    expect(Array.from(p.value)).toEqual([-1, -1, 1, 1]);
    p.grad.set([-1, 1, 1, -1]);
    opt.step([p]); // m = [−0.375, 0.625, 0.375, −0.625]: agrees with w at 0 and 2
    expect(Array.from(p.value)).toEqual([1, -1, -1, 1]);
    expect(() => opt.step([createParam("r/w", [1], "real", new Float32Array(1))])).toThrowError(NnError);
  });

  it("multiOptimizer sends binary parameters to bop and the rest to adam", () => {
    const binary = createParam("b/w", [2], "binary", Float32Array.of(0.5, -0.5));
    const real = createParam("r/w", [2], "real", Float32Array.of(0, 0));
    const opt = multiOptimizer({
      binary: bop({ threshold: 0, gamma: 1 }),
      other: adam({ learningRate: 0.1 }),
    });
    binary.grad.set([1, 1]);
    real.grad.set([1, -1]);
    opt.step([binary, real]);
    expect(Array.from(binary.value)).toEqual([-1, -1]);
    expect(real.value[0]).toBeCloseTo(-0.1, 6);
    expect(real.value[1]).toBeCloseTo(0.1, 6);
    opt.learningRate = 0.5;
    expect(opt.learningRate).toBe(0.5);
  });

  it("state round trips: a restored optimizer continues exactly like the original", () => {
    const makers = [
      () => adam({ learningRate: 0.05 }),
      () => sgd({ learningRate: 0.05, momentum: 0.9 }),
      () => multiOptimizer({ binary: bop(), other: adam() }),
    ];
    for (const make of makers) {
      const p1 = createParam("q/w", [4], "real", new Float32Array(4));
      const o1 = make();
      minimize(o1, 7, p1);
      const o2 = make();
      o2.setState(o1.getState());
      const p2 = createParam("q/w", [4], "real", p1.value.slice());
      minimize(o1, 5, p1);
      minimize(o2, 5, p2);
      expect(Array.from(p2.value)).toEqual(Array.from(p1.value));
    }
    expect(() => adam().setState(sgd().getState())).toThrowError(
      expect.objectContaining({ code: "STATE_MISMATCH" }),
    );
  });
});

describe("schedules", () => {
  const ctx = (epoch: number, step: number) => ({
    epoch,
    epochs: 10,
    step,
    stepsPerEpoch: 10,
    totalSteps: 100,
  });

  it("stepDecay multiplies by the factor every N epochs", () => {
    const s = stepDecay({ initial: 1, factor: 0.5, every: 3 });
    expect([0, 2, 3, 6, 9].map((e) => s(ctx(e, e * 10)))).toEqual([1, 1, 0.5, 0.25, 0.125]);
  });

  it("exponentialDecay goes from initial to final over the epochs, or by a rate", () => {
    const s = exponentialDecay({ initial: 3e-3, final: 3e-7 });
    expect(s(ctx(0, 0))).toBeCloseTo(3e-3, 12);
    expect(s(ctx(9, 90))).toBeCloseTo(3e-7, 12);
    expect(exponentialDecay({ initial: 1, rate: 0.9 })(ctx(2, 20))).toBeCloseTo(0.81, 12);
    expect(() => exponentialDecay({ initial: 1 })).toThrowError(NnError);
  });

  it("cosineDecay follows half a cosine per step down to final", () => {
    const s = cosineDecay({ initial: 2, final: 0 });
    expect(s(ctx(0, 0))).toBe(2);
    expect(s(ctx(5, 50))).toBeCloseTo(1, 12);
    expect(s(ctx(10, 100))).toBeCloseTo(0, 12);
  });
});
