export type NnErrorCode =
  /** An array's length or a shape does not match what the layer/model expects. */
  | "SHAPE_MISMATCH"
  /** NaN or ±Infinity in inputs, labels, weights or the loss. */
  | "NON_FINITE"
  /** An option or argument is out of range or of the wrong kind. */
  | "INVALID_ARGUMENT"
  /** A label is not an integer class index in [0, classes). */
  | "INVALID_LABEL"
  /** The model was used before `compile` / without a loss or optimizer. */
  | "NOT_COMPILED"
  /** The model cannot be exported to the inference graph (e.g. BatchNorm that cannot be folded). */
  | "UNSUPPORTED_EXPORT"
  /** A checkpoint or state blob does not match the model it is loaded into, or is corrupt. */
  | "STATE_MISMATCH"
  /** A file could not be read or written (the message names the path and the system's reason). */
  | "IO_ERROR";

/** The one error class of @onebit/nn; `code` is machine-readable, the message names the problem. */
export class NnError extends Error {
  override readonly name = "NnError";
  constructor(
    readonly code: NnErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function assertPositiveInteger(value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new NnError("INVALID_ARGUMENT", `${what} must be a positive integer, got ${String(value)}`);
  }
}

export function assertFiniteNumber(value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new NnError("INVALID_ARGUMENT", `${what} must be a finite number, got ${String(value)}`);
  }
}

export function assertInRange(value: unknown, lo: number, hi: number, what: string): asserts value is number {
  assertFiniteNumber(value, what);
  if (value < lo || value > hi) {
    throw new NnError("INVALID_ARGUMENT", `${what} must lie in [${lo}, ${hi}], got ${value}`);
  }
}

/** Throws NON_FINITE naming the first NaN/±Infinity of `values` (as `what[index]`). */
export function assertAllFinite(values: ArrayLike<number>, what: string, rowLength = 0): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      const where = rowLength > 0 ? ` (sample ${Math.floor(i / rowLength)}, feature ${i % rowLength})` : "";
      throw new NnError("NON_FINITE", `${what}[${i}]${where} is ${v}, only finite values are accepted`);
    }
  }
}
