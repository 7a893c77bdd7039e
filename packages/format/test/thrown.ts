import { expect } from "vitest";
import { FormatError } from "../src/index.js";

/** The FormatError `f` throws; fails the test when it throws something else or nothing. */
export function thrown(f: () => unknown): FormatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error("expected a FormatError");
}
