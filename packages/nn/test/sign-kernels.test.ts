import { kernelRowWords, PANEL_COLUMNS } from "@onebit/bitops";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signsAndMaxAbs, signsAndMaxAbsTs } from "../src/layers/quantized-kernel.js";
import { SignPacker } from "../src/layers/sign-packer.js";
import { packSignPanelsTs } from "../src/layers/xnor-dense.js";

// Latent weights with the awkward cases: ±0, ties at the clip, NaN-free.
const weight = fc.oneof(
  fc.float({ min: -2, max: 2, noNaN: true }),
  fc.constantFrom(0, -0, 1, -1, 1e-30, -1e-30),
);
const matrix = fc
  .tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 11 }))
  .chain(([k, n]) =>
    fc.tuple(fc.constant(k), fc.constant(n), fc.array(weight, { minLength: k * n, maxLength: k * n })),
  );

describe("SIMD sign kernels", () => {
  const packer = SignPacker.get();

  it("are available in Node.js", () => {
    expect(packer).not.toBeNull();
  });

  it("packPanels gives the TypeScript pass's signs, panel bits and max |W| (K, N not multiples of 32, 4)", () => {
    fc.assert(
      fc.property(matrix, ([k, n, values]) => {
        const latent = Float32Array.from(values);
        const kWords = kernelRowWords(k);
        const words = Math.ceil(n / PANEL_COLUMNS) * kWords * PANEL_COLUMNS;
        const s1 = new Float32Array(k * n);
        const s2 = new Float32Array(k * n);
        const d1 = new Uint32Array(words).fill(0xdeadbeef);
        const d2 = new Uint32Array(words);
        const m1 = packer!.packPanels(latent, k, n, kWords, s1, d1);
        const m2 = packSignPanelsTs(latent, k, n, kWords, s2, d2, new Int32Array(n));
        expect(Array.from(s1)).toEqual(Array.from(s2));
        expect(Array.from(d1)).toEqual(Array.from(d2));
        expect(new Float32Array(new Uint32Array([m1]).buffer)[0]).toBe(m2);
        latent.forEach((w, i) => {
          expect(s1[i]).toBe(w < 0 ? -1 : 1);
        });
      }),
      { numRuns: 150 },
    );
  });

  it("signsAndMaxAbs matches its TypeScript pass", () => {
    fc.assert(
      fc.property(fc.array(weight, { minLength: 1, maxLength: 45 }), (values) => {
        const w = Float32Array.from(values);
        const a = new Float32Array(w.length);
        const b = new Float32Array(w.length);
        expect(signsAndMaxAbs(w, a)).toBe(signsAndMaxAbsTs(w, b));
        expect(Array.from(a)).toEqual(Array.from(b));
        expect(Math.max(...Array.from(w, Math.abs))).toBe(signsAndMaxAbs(w, a));
      }),
    );
  });
});
