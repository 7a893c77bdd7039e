import { FormatError, type FormatErrorCode } from "./errors.js";
import { LIMITS } from "./limits.js";

// Small checkers for untrusted JSON: each names the offending field by its path (e.g.
// `graph.nodes[3].kernel[1]`) and throws FormatError with the caller's code.

export type JsonObject = { readonly [key: string]: unknown };

export function fail(code: FormatErrorCode, path: string, problem: string): never {
  throw new FormatError(code, `${path}: ${problem}`);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing (the field is missing)";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v !== "object") return `${typeof v} ${String(v)}`;
  // Name the class of a non-plain object (a Uint8Array where a Map belongs, an ArrayBuffer…).
  const name = Object.getPrototypeOf(v)?.constructor?.name;
  return typeof name === "string" && name !== "Object" && name !== ""
    ? `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}`
    : "an object";
}

export function own(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

export function asObject(v: unknown, path: string, code: FormatErrorCode): JsonObject {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    fail(code, path, `expected an object, got ${describe(v)}`);
  return v as JsonObject;
}

export function asArray(
  v: unknown,
  path: string,
  code: FormatErrorCode,
  maxLength: number,
): readonly unknown[] {
  if (!Array.isArray(v)) fail(code, path, `expected an array, got ${describe(v)}`);
  if (v.length > maxLength) fail("TOO_LARGE", path, `${v.length} entries exceed the cap of ${maxLength}`);
  return v;
}

export function asString(
  v: unknown,
  path: string,
  code: FormatErrorCode,
  maxLength: number = LIMITS.maxStringLength,
  minLength = 0,
): string {
  if (typeof v !== "string") fail(code, path, `expected a string, got ${describe(v)}`);
  if (v.length > maxLength)
    fail(code, path, `string of ${v.length} characters exceeds the cap of ${maxLength}`);
  if (v.length < minLength)
    fail(code, path, minLength === 1 ? "must not be empty" : `shorter than ${minLength}`);
  return v;
}

export function asInteger(v: unknown, path: string, code: FormatErrorCode, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v))
    fail(code, path, `expected an integer, got ${describe(v)}`);
  if (v < min || v > max) fail(code, path, `${v} is outside [${min}, ${max}]`);
  return v;
}

export function asFiniteNumber(v: unknown, path: string, code: FormatErrorCode): number {
  if (typeof v !== "number" || !Number.isFinite(v))
    fail(code, path, `expected a finite number, got ${describe(v)}`);
  return v;
}

export function asOneOf<T extends string>(
  v: unknown,
  path: string,
  code: FormatErrorCode,
  allowed: readonly T[],
): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    fail(
      code,
      path,
      `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(v)}`,
    );
  }
  return v as T;
}

/** Product of dimensions; the caller has bounded each, and the running product is checked against `cap`. */
export function checkedProduct(shape: readonly number[], cap: number, path: string): number {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > cap) fail("TOO_LARGE", path, `shape [${shape.join(", ")}] has more than ${cap} elements`);
  }
  return n;
}

/**
 * Throws TOO_LARGE at the first object or array of `text` nested deeper than `maxDepth`, before any
 * parser builds the structure: a few megabytes of `[` would otherwise cost seconds and hundreds of
 * megabytes in JSON.parse. One pass over the characters, strings skipped; stops at the first excess.
 */
export function checkJsonDepth(text: string, maxDepth: number, path: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      i = j;
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > maxDepth) {
        fail(
          "TOO_LARGE",
          `${path}, character ${i}`,
          `objects and arrays nested deeper than the cap of ${maxDepth} (option maxHeaderDepth)`,
        );
      }
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
}

/**
 * The first object member name that appears twice in one object of `text` (already known to be
 * valid JSON), or undefined. JSON.parse silently keeps the last duplicate while other parsers keep
 * the first or refuse, so a file with duplicates could mean different things to different readers.
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: (Set<string> | null)[] = []; // a Set of names per open object, null per open array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const names = stack[stack.length - 1];
      if (names && expectKey) {
        const raw = text.slice(i, j + 1);
        const name: string = raw.includes("\\") ? JSON.parse(raw) : raw.slice(1, -1);
        if (names.has(name)) return name;
        names.add(name);
        expectKey = false;
      }
      i = j;
    } else if (ch === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === 0x5b) stack.push(null);
    else if (ch === 0x7d || ch === 0x5d) stack.pop();
    else if (ch === 0x2c) expectKey = stack[stack.length - 1] != null;
  }
  return undefined;
}
