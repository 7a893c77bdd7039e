import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adam, createParam, weightClip } from "../src/index.js";
import { type AdamConstants, SlotMemory } from "../src/optimizers/slot-memory.js";

/** Adam in float64, the textbook order of operations. */
function adamF64(w: number[], g: number[], m: number[], v: number[], c: AdamConstants): void {
  for (let i = 0; i < w.length; i++) {
    m[i] = c.beta1 * m[i]! + c.oneMinusBeta1 * g[i]!;
    v[i] = c.beta2 * v[i]! + c.oneMinusBeta2 * g[i]! * g[i]!;
    w[i] = Math.min(c.hi, Math.max(c.lo, w[i]! - (c.lr * m[i]!) / (Math.sqrt(v[i]!) + c.epsHat)));
  }
}

const values = (n: number) =>
  fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n });

describe("Adam kernel (f32, WebAssembly SIMD or TypeScript)", () => {
  it("runs on WebAssembly SIMD in Node.js", () => {
    expect(new SlotMemory().backend).toBe("wasm-simd");
    expect(new SlotMemory({ wasm: false }).backend).toBe("typescript");
  });

  it("SIMD and TypeScript paths agree bit for bit, and both match float64 Adam within f32 rounding", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 37 })
          .chain((n) => fc.tuple(values(n), fc.array(values(n), { minLength: 3, maxLength: 3 }))),
        fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
        ([w0, grads], lr) => {
          const n = w0.length;
          const c: AdamConstants = {
            beta1: 0.9,
            oneMinusBeta1: 0.1,
            beta2: 0.999,
            oneMinusBeta2: 1 - 0.999,
            lr,
            epsHat: 1e-7,
            lo: -1,
            hi: 1,
          };
          const simd = new SlotMemory();
          const ts = new SlotMemory({ wasm: false });
          const p1 = createParam("l/kernel", [n], "binary", Float32Array.from(w0));
          const p2 = createParam("l/kernel", [n], "binary", Float32Array.from(w0));
          const w = Array.from(Float32Array.from(w0));
          const m = new Array<number>(n).fill(0);
          const v = new Array<number>(n).fill(0);
          for (const g of grads) {
            p1.grad.set(g);
            p2.grad.set(g);
            simd.adam(p1, simd.slot(p1, "m"), simd.slot(p1, "v"), c);
            ts.adam(p2, ts.slot(p2, "m"), ts.slot(p2, "v"), c);
            adamF64(w, Array.from(Float32Array.from(g)), m, v, c);
          }
          expect(Array.from(p1.value)).toEqual(Array.from(p2.value));
          expect(simd.toRecord()).toEqual(ts.toRecord());
          // A step moves a weight by at most ~lr; f32 rounding of the steps stays far below 1e-5·(1 + lr·steps).
          p1.value.forEach((x, i) => {
            expect(Math.abs(x - w[i]!)).toBeLessThan(1e-5);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps slots of several parameters apart and restores them from a state", () => {
    const make = () => [
      createParam(
        "a/kernel",
        [5, 3],
        "binary",
        new Float32Array(15).map((_, i) => Math.sin(i)),
        weightClip(1),
      ),
      createParam("a/bias", [3], "real", Float32Array.of(0.5, -0.5, 0)),
    ];
    const grad = (ps: ReturnType<typeof make>, s: number) => {
      for (const p of ps) for (let i = 0; i < p.grad.length; i++) p.grad[i] = Math.cos(i * 7 + s);
    };
    const ps1 = make();
    const o1 = adam({ learningRate: 0.1 });
    for (let s = 0; s < 4; s++) {
      grad(ps1, s);
      o1.step(ps1);
    }
    const state = o1.getState();
    expect(Object.keys(state.slots)).toEqual(["a/kernel/m", "a/kernel/v", "a/bias/m", "a/bias/v"]);
    expect(state.slots["a/bias/m"]!.length).toBe(3);
    const ps2 = make();
    ps2.forEach((p, i) => {
      p.value.set(ps1[i]!.value);
    });
    const o2 = adam({ learningRate: 0.1 });
    o2.setState(state);
    for (let s = 4; s < 8; s++) {
      grad(ps1, s);
      grad(ps2, s);
      o1.step(ps1);
      o2.step(ps2);
    }
    ps1.forEach((p, i) => {
      expect(Array.from(ps2[i]!.value)).toEqual(Array.from(p.value));
    });
    expect(ps1[0]!.value.every((x) => x >= -1 && x <= 1)).toBe(true);
    const wrong = adam();
    wrong.setState({
      type: "adam",
      scalars: { t: 1 },
      slots: { "a/bias/m": new Float32Array(2), "a/bias/v": new Float32Array(2) },
    });
    expect(() => wrong.step([make()[1]!])).toThrowError(expect.objectContaining({ code: "STATE_MISMATCH" }));
  });
});
