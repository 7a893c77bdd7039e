import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BatchNorm, batchNorm, sequential } from "../src/index.js";

/** Two identically built layers, the second forced onto the TypeScript loops. */
function pair(c: number, rank: 1 | 3): [BatchNorm, BatchNorm] {
  const shape = rank === 1 ? [c] : [2, 3, c];
  const a = sequential([batchNorm()], { inputShape: shape, seed: 1 }).layers[0] as BatchNorm;
  const b = sequential([batchNorm()], { inputShape: shape, seed: 1 }).layers[0] as BatchNorm;
  b["kernel"] = undefined;
  return [a, b];
}

describe("BatchNorm training passes on WebAssembly", () => {
  it("use the kernel in Node.js", () => {
    expect(pair(3, 1)[0]["kernel"]).toBeDefined();
  });

  it("give the TypeScript loops' outputs, gradients and running statistics bit for bit (odd channel counts, one row)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(1, 3) as fc.Arbitrary<1 | 3>,
        fc.integer({ min: 0, max: 1e6 }),
        (c, batch, rank, seed) => {
          const [a, b] = pair(c, rank);
          const n = batch * c * (rank === 3 ? 6 : 1);
          const x = Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 1.7) * 3 + (i % c));
          const g = Float32Array.from({ length: n }, (_, i) => Math.cos(seed * 0.5 + i));
          // γ and β away from 1 and 0 so they take part.
          for (const l of [a, b]) {
            l.gamma.forEach((_, j) => {
              l.gamma[j] = 0.5 + j * 0.25;
              l.beta[j] = j * 0.1 - 0.2;
            });
          }
          for (let step = 0; step < 2; step++) {
            const ya = a.forward(x, batch, { training: true }).slice();
            const yb = b.forward(x, batch, { training: true }).slice();
            expect(Array.from(ya)).toEqual(Array.from(yb));
            const ga = a.backward(g, batch, true)!.slice();
            const gb = b.backward(g, batch, true)!.slice();
            expect(Array.from(ga)).toEqual(Array.from(gb));
            a.params().forEach((p, i) => {
              expect(Array.from(p.grad)).toEqual(Array.from(b.params()[i]!.grad));
            });
            expect(Array.from(a.movingMean)).toEqual(Array.from(b.movingMean));
            expect(Array.from(a.movingVariance)).toEqual(Array.from(b.movingVariance));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
