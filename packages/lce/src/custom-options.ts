import { toReference } from "flatbuffers/js/flexbuffers.js";
import { LceError } from "./errors.js";

/** Integer options of an LCE custom operator, by key; absent keys are undefined. */
export type CustomOptions = Readonly<Record<string, number | undefined>>;

// A FlexBuffers map can nest vectors that share children, so converting a whole hostile map to an
// object (toObject) can cost far more than its size. Only the known keys are looked up, each one a
// bounded binary search, and each must be a scalar.
const MAX_MAP_ENTRIES = 256;

/** Reads the integer-valued `keys` of the FlexBuffers map in `bytes`. */
export function decodeCustomOptions(
  bytes: Uint8Array,
  keys: readonly string[],
  where: string,
): CustomOptions {
  let map: ReturnType<typeof toReference>;
  try {
    // A copy: the bytes may be a view into a larger (pooled) buffer; toReference reads from its start.
    map = toReference(new Uint8Array(bytes).buffer);
    if (!map.isMap()) throw new LceError("BAD_MODEL", `${where}: custom options are not a FlexBuffers map`);
    const length = map.length();
    if (length > MAX_MAP_ENTRIES)
      throw new LceError(
        "MALFORMED",
        `${where}: custom options map has ${length} entries (at most ${MAX_MAP_ENTRIES})`,
      );
  } catch (error) {
    throw asLceError(error, where);
  }
  const out: Record<string, number | undefined> = {};
  for (const key of keys) {
    let value: ReturnType<typeof map.get>;
    try {
      // get() accepts string keys for maps; its declaration only lists the vector (number) form.
      value = map.get(key as unknown as number);
    } catch (error) {
      // The library throws a plain string for a key that is not in the map; anything else is damage.
      if (typeof error === "string") {
        out[key] = undefined;
        continue;
      }
      throw asLceError(error, where);
    }
    out[key] = scalar(value, key, where);
  }
  return Object.freeze(out);
}

function scalar(
  value: ReturnType<ReturnType<typeof toReference>["get"]>,
  key: string,
  where: string,
): number {
  try {
    let n: number | bigint | null = null;
    if (value.isBool()) n = value.boolValue() ? 1 : 0;
    else if (value.isInt()) n = value.intValue();
    else if (value.isFloat()) n = value.floatValue();
    if (n === null) throw new LceError("BAD_MODEL", `${where}: custom option "${key}" is not a number`);
    const num = Number(n);
    if (!Number.isInteger(num) || num < -(2 ** 31) || num >= 2 ** 31)
      throw new LceError(
        "BAD_MODEL",
        `${where}: custom option "${key}" = ${String(n)} is not a 32-bit integer`,
      );
    return num;
  } catch (error) {
    throw asLceError(error, where);
  }
}

function asLceError(error: unknown, where: string): LceError {
  if (error instanceof LceError) return error;
  return new LceError(
    "MALFORMED",
    `${where}: custom options are not a valid FlexBuffers map (${String(error)})`,
    {
      cause: error,
    },
  );
}
