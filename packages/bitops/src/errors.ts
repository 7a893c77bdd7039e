export type BitopsErrorCode =
  | "SHAPE_MISMATCH"
  | "NON_FINITE"
  | "INVALID_ARGUMENT"
  | "UNSUPPORTED"
  | "OUT_OF_MEMORY";

/** The one error class of @onebit/bitops; `code` is machine-readable, the message names the problem. */
export class BitopsError extends Error {
  override readonly name = "BitopsError";
  constructor(
    readonly code: BitopsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function assertNonNegativeInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new BitopsError("INVALID_ARGUMENT", `${what} must be a non-negative integer, got ${value}`);
  }
}
