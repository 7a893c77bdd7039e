import { describe, fail } from "./json-check.js";

// Checks of caller options: a cap given as NaN, a negative number or a string must not silently
// turn a check off, so every option is validated before it is used.

/** `options` itself: undefined (the defaults) or a plain object whose members are all known. */
export function checkOptions<T extends object>(
  options: unknown,
  what: string,
  known: readonly string[],
): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options))
    fail("INVALID_ARGUMENT", what, `expected an options object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      fail("INVALID_ARGUMENT", `${what}.${key}`, `unknown option (known: ${known.join(", ")})`);
  }
  return options as Partial<T>;
}

/** A size cap: an integer in [min, max], or the default when undefined. */
export function capOption(v: unknown, what: string, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    fail("INVALID_ARGUMENT", what, `expected an integer in [${min}, ${max}], got ${describe(v)}`);
  return v;
}

export function booleanOption(v: unknown, what: string, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") fail("INVALID_ARGUMENT", what, `expected true or false, got ${describe(v)}`);
  return v;
}
