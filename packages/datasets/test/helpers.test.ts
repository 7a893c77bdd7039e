import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batches,
  gatherRows,
  labelHistogram,
  normalize,
  oneHot,
  permutation,
  randomBelow,
  shiftAugment,
  splitValidation,
} from "../src/index.js";
import { catchError, seeded } from "./rng.js";

describe("normalize", () => {
  it("maps 0 → −1, 255 → 1 (default) or 0 → 0, 255 → 1 linearly", () => {
    const pixels = Uint8Array.from({ length: 256 }, (_, i) => i);
    const signed = normalize(pixels);
    const unit = normalize(pixels, { to: "[0,1]" });
    for (let v = 0; v < 256; v++) {
      expect(signed[v]).toBe(Math.fround(v / 127.5 - 1));
      expect(unit[v]).toBe(Math.fround(v / 255));
    }
    expect([signed[0], signed[255], unit[0], unit[255]]).toEqual([-1, 1, 0, 1]);
  });

  it("writes into a given buffer and rejects one that is too short", () => {
    const out = new Float32Array(4).fill(7);
    expect(normalize(Uint8Array.from([255, 0]), { out })).toBe(out);
    expect(Array.from(out)).toEqual([1, -1, 7, 7]);
    expect(catchError(() => normalize(new Uint8Array(3), { out: new Float32Array(2) }))).toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});

describe("oneHot / labelHistogram", () => {
  it("puts `on` at the label and `off` elsewhere", () => {
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(oneHot(Uint8Array.from([1]), 3, { off: -1 }))).toEqual([-1, 1, -1]);
  });

  it("counts classes and rejects labels outside them", () => {
    expect(labelHistogram([0, 2, 2, 1, 2], 3)).toEqual([1, 1, 3]);
    expect(catchError(() => oneHot([0, 3], 3))).toMatchObject({ code: "BAD_LABEL" });
    expect(catchError(() => labelHistogram([1.5], 3)).message).toContain("label 0 is 1.5");
  });
});

describe("permutation / randomBelow", () => {
  it("is a permutation, and the same seed gives the same one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
        const p = permutation(n, seeded(seed));
        expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(permutation(n, seeded(seed))).toEqual(p);
      }),
    );
  });

  it("stays in range and redraws instead of biasing", () => {
    // A generator that first returns the top value (in the biased sliver for n = 3), then 4.
    const values = [0xffffffff, 4];
    const rng = { nextUint32: () => values.shift()! };
    expect(randomBelow(rng, 3)).toBe(1);
    const r = seeded(1);
    for (let i = 0; i < 1000; i++) expect(randomBelow(r, 7)).toBeLessThan(7);
  });
});

describe("batches / gatherRows", () => {
  it("covers every index once, in batches of batchSize with a smaller last one", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer(),
        (n, size, seed) => {
          for (const options of [{}, { rng: seeded(seed) }]) {
            const list = batches(n, size, options);
            expect(list.length).toBe(Math.ceil(n / size));
            for (const b of list.slice(0, -1)) expect(b.length).toBe(size);
            const all = list.flatMap((b) => Array.from(b));
            expect(all.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          }
          const dropped = batches(n, size, { dropLast: true });
          expect(dropped.length).toBe(Math.floor(n / size));
        },
      ),
    );
  });

  it("follows a given order and rejects one that is not a permutation", () => {
    expect(batches(3, 2, { order: [2, 0, 1] }).map((b) => Array.from(b))).toEqual([[2, 0], [1]]);
    expect(catchError(() => batches(3, 2, { order: [0, 0, 1] })).message).toContain(
      "order[1] = 0 is repeated",
    );
    expect(catchError(() => batches(3, 2, { order: [0, 1] }))).toMatchObject({ code: "SHAPE_MISMATCH" });
  });

  it("gathers items into one contiguous batch", () => {
    const source = Uint8Array.from([10, 11, 20, 21, 30, 31]);
    expect(Array.from(gatherRows(source, [2, 0], 2))).toEqual([30, 31, 10, 11]);
    expect(gatherRows(Float32Array.from([1, 2]), [1, 1], 1)).toEqual(Float32Array.from([2, 2]));
    expect(catchError(() => gatherRows(source, [3], 2)).message).toContain("index 0 is 3");
  });
});

describe("shiftAugment", () => {
  /** Plain reference: replays the same draws and copies pixel by pixel. */
  function referenceShift(
    images: Uint8Array,
    n: number,
    rows: number,
    cols: number,
    max: number,
    seed: number,
  ) {
    const rng = seeded(seed);
    const out = new Uint8Array(images.length);
    for (let k = 0; k < n; k++) {
      const dy = randomBelow(rng, 2 * max + 1) - max;
      const dx = randomBelow(rng, 2 * max + 1) - max;
      for (let y = 0; y < rows; y++)
        for (let x = 0; x < cols; x++) {
          const sy = y - dy;
          const sx = x - dx;
          const inside = sy >= 0 && sy < rows && sx >= 0 && sx < cols;
          out[k * rows * cols + y * cols + x] = inside ? images[k * rows * cols + sy * cols + sx]! : 0;
        }
    }
    return out;
  }

  it("matches a pixel-by-pixel reference on random shapes, shifts wider than the image included", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer(),
        (n, rows, cols, max, seed) => {
          const images = Uint8Array.from({ length: n * rows * cols }, (_, i) => 1 + (i % 250));
          const shifted = shiftAugment(images, n, rows, cols, max, seeded(seed));
          expect(shifted).toEqual(referenceShift(images, n, rows, cols, max, seed));
        },
      ),
    );
  });

  it("moves content right and down for positive shifts and fills with `fill`", () => {
    // Draws for maxShift 1 (3 values): 2 → +1 down, 0 → −1 left.
    const draws = [2, 0];
    const rng = { nextUint32: () => draws.shift()! };
    const image = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(shiftAugment(image, 1, 3, 3, 1, rng, { fill: -1 }))).toEqual([
      -1, -1, -1, 2, 3, -1, 5, 6, -1,
    ]);
  });

  it("is deterministic given the generator and leaves the input alone", () => {
    const images = Uint8Array.from({ length: 2 * 28 * 28 }, (_, i) => i & 255);
    const copy = images.slice();
    expect(shiftAugment(images, 2, 28, 28, 2, seeded(5))).toEqual(
      shiftAugment(images, 2, 28, 28, 2, seeded(5)),
    );
    expect(images).toEqual(copy);
    expect(shiftAugment(images, 2, 28, 28, 0, seeded(5))).toEqual(images);
    expect(catchError(() => shiftAugment(images, 3, 28, 28, 2, seeded(5)))).toMatchObject({
      code: "SHAPE_MISMATCH",
    });
  });
});

describe("splitValidation", () => {
  const set = {
    images: Uint8Array.from({ length: 10 * 4 }, (_, i) => i),
    labels: Uint8Array.from({ length: 10 }, (_, i) => i),
    count: 10,
    rows: 2,
    cols: 2,
  };

  it("takes the last items by default", () => {
    const { train, validation } = splitValidation(set, 3);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(validation.labels)).toEqual([7, 8, 9]);
    expect(Array.from(validation.images.subarray(0, 4))).toEqual([28, 29, 30, 31]);
  });

  it("makes a random disjoint split that covers everything, reproducibly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer(), (k, seed) => {
        const { train, validation } = splitValidation(set, k, { rng: seeded(seed) });
        expect([train.count, validation.count]).toEqual([10 - k, k]);
        const all = [...train.labels, ...validation.labels].sort((a, b) => a - b);
        expect(all).toEqual(Array.from(set.labels));
        for (const part of [train, validation])
          for (let i = 0; i < part.count; i++) expect(part.images[i * 4]).toBe(part.labels[i]! * 4);
        expect(splitValidation(set, k, { rng: seeded(seed) }).validation).toEqual(validation);
      }),
    );
    expect(catchError(() => splitValidation(set, 11))).toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
