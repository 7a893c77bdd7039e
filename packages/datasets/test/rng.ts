// Test-only seeded generator (mulberry32): enough to make shuffles and shifts reproducible.
export function seeded(seed: number): { nextUint32(): number } {
  let state = seed >>> 0;
  return {
    nextUint32() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    },
  };
}

/** Expects `fn` to throw a DatasetError with `code`; returns it for further checks. */
export function catchError(fn: () => unknown): { code: string; message: string; offset?: number } {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string; offset?: number };
  }
  throw new Error("expected an error, none was thrown");
}
