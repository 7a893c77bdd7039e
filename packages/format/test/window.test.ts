import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { windowAxis } from "../src/index.js";

describe("windowAxis", () => {
  it("follows TensorFlow's 'same' and 'valid' rules", () => {
    expect(windowAxis(28, 3, 1, "same")).toEqual({ out: 28, padBefore: 1, padAfter: 1 });
    expect(windowAxis(28, 3, 1, "valid")).toEqual({ out: 26, padBefore: 0, padAfter: 0 });
    expect(windowAxis(7, 2, 2, "same")).toEqual({ out: 4, padBefore: 0, padAfter: 1 });
    expect(windowAxis(6, 4, 2, "same")).toEqual({ out: 3, padBefore: 1, padAfter: 1 });
    expect(windowAxis(2, 3, 1, "valid").out).toBe(0);
  });
  it("every window covers only input and padding positions (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        (n, k, s) => {
          for (const padding of ["same", "valid"] as const) {
            const { out, padBefore, padAfter } = windowAxis(n, k, s, padding);
            if (out === 0) continue;
            // The last window ends inside the padded input, the first starts at its beginning.
            expect((out - 1) * s + k).toBeLessThanOrEqual(n + padBefore + padAfter);
            expect(padAfter - padBefore).toBeGreaterThanOrEqual(0);
            expect(padAfter - padBefore).toBeLessThanOrEqual(1);
            if (padding === "same") expect(out).toBe(Math.ceil(n / s));
          }
        },
      ),
    );
  });
});
