import { Rng, setBackend } from "@onebit/tensor";
import "@onebit/tensor/node"; // registers @onebit/native's training kernels (built in this repository and in CI)
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { type BatchNorm, batchNorm, sequential, steSign } from "../src/index.js";
import { BatchNormKernel, NativeBatchNormKernel } from "../src/layers/batch-norm-kernel.js";
import { createParam } from "../src/index.js";
import { type AdamConstants, SlotMemory } from "../src/optimizers/slot-memory.js";

afterEach(() => setBackend("auto"));

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A BatchNorm layer on the native passes, one on WebAssembly and one on the TypeScript loops. */
function trio(c: number, rank: 1 | 3): BatchNorm[] {
  const shape = rank === 1 ? [c] : [2, 3, c];
  const build = () => sequential([batchNorm()], { inputShape: shape, seed: 1 }).layers[0] as BatchNorm;
  const native = build();
  setBackend("wasm-simd");
  const wasm = build();
  setBackend("auto");
  const ts = build();
  ts["kernel"] = undefined;
  expect(native["kernel"]).toBeInstanceOf(NativeBatchNormKernel);
  expect(wasm["kernel"]).toBeInstanceOf(BatchNormKernel);
  return [native, wasm, ts];
}

describe("BatchNorm training passes on @onebit/native", () => {
  it("give the WebAssembly kernels' and the TypeScript loops' outputs, gradients and statistics bit for bit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(1, 3) as fc.Arbitrary<1 | 3>,
        fc.integer({ min: 0, max: 1e6 }),
        (c, batch, rank, seed) => {
          const layers = trio(c, rank);
          const n = batch * c * (rank === 3 ? 6 : 1);
          const x = Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 1.7) * 3 + (i % c));
          const g = Float32Array.from({ length: n }, (_, i) => Math.cos(seed * 0.5 + i));
          for (const l of layers) {
            l.gamma.forEach((_, j) => {
              l.gamma[j] = 0.5 + j * 0.25;
              l.beta[j] = j * 0.1 - 0.2;
            });
          }
          for (let step = 0; step < 2; step++) {
            const [y0, ...ys] = layers.map((l) => l.forward(x, batch, { training: true }).slice());
            for (const y of ys) expect(bits(y)).toEqual(bits(y0!));
            const [g0, ...gs] = layers.map((l) => l.backward(g, batch, true)!.slice());
            for (const gx of gs) expect(bits(gx)).toEqual(bits(g0!));
            for (const l of layers.slice(1)) {
              l.params().forEach((p, i) => {
                expect(bits(p.grad)).toEqual(bits(layers[0]!.params()[i]!.grad));
              });
              expect(bits(l.movingMean)).toEqual(bits(layers[0]!.movingMean));
              expect(bits(l.movingVariance)).toEqual(bits(layers[0]!.movingVariance));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("the sign quantizer's passes on @onebit/native", () => {
  it("give the TypeScript loops' bits (±0, ±clip, ±∞, NaN of either sign, subnormals)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1024, max: 5000 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom(1, 0.5, 2),
        (n, seed, clip) => {
          const rng = new Rng(seed);
          const x = rng.uniformArray(n, -2.5, 2.5);
          const specials = [0, -0, clip, -clip, Infinity, -Infinity, Number.NaN, 1e-45, -1e-45];
          specials.forEach((v, i) => {
            x[(seed + i * 97) % n] = v;
          });
          new Uint32Array(x.buffer)[(seed + 7) % n] = 0xffc00000; // a NaN with the sign bit set
          const g = rng.uniformArray(n, -1, 1);
          const q = steSign(clip);
          const run = () => {
            const out = new Float32Array(n);
            const gx = new Float32Array(n);
            q.forward(x, out, 1);
            q.backward(x, g, gx, 1);
            return [bits(out), bits(gx)];
          };
          const native = run();
          setBackend("typescript"); // the native kernels are only active under auto / native
          const ts = run();
          setBackend("auto");
          expect(native).toEqual(ts);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("Adam on @onebit/native", () => {
  it("gives the WebAssembly kernel's and the TypeScript loop's bits (box clamps at 0, ±0, odd lengths)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom([-1, 1], [0, 1], [-Infinity, Infinity]),
        fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
        (n, seed, [lo, hi], lr) => {
          const c: AdamConstants = {
            beta1: 0.9,
            oneMinusBeta1: 0.1,
            beta2: 0.999,
            oneMinusBeta2: 1 - 0.999,
            lr,
            epsHat: 1e-7,
            lo: lo!,
            hi: hi!,
          };
          const rng = new Rng(seed);
          const w0 = rng.uniformArray(n, -1.5, 1.5);
          w0[seed % n] = -0;
          const memories = [
            new SlotMemory(),
            new SlotMemory({ native: false }),
            new SlotMemory({ wasm: false }),
          ];
          expect(memories.map((m) => m.backend)).toEqual(["native", "wasm-simd", "typescript"]);
          const params = memories.map(() => createParam("l/kernel", [n], "binary", w0.slice()));
          for (let step = 0; step < 3; step++) {
            const g = rng.uniformArray(n, -2, 2);
            g[(seed + step) % n] = 0;
            memories.forEach((m, i) => {
              params[i]!.grad.set(g);
              m.adam(params[i]!, m.slot(params[i]!, "m"), m.slot(params[i]!, "v"), c);
            });
          }
          for (const i of [1, 2]) {
            expect(bits(params[i]!.value)).toEqual(bits(params[0]!.value));
            const [a, b] = [memories[0]!.toRecord(), memories[i]!.toRecord()];
            for (const k of Object.keys(a)) expect(bits(b[k]!)).toEqual(bits(a[k]!));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
