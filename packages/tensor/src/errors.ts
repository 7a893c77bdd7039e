export type TensorErrorCode =
  | "SHAPE_MISMATCH"
  | "INVALID_ARGUMENT"
  | "OUT_OF_BOUNDS"
  | "DTYPE_MISMATCH"
  | "UNSUPPORTED"
  | "WORKER_FAILED";

/** The one error class of @onebit/tensor; `code` is machine-readable, the message names the problem. */
export class TensorError extends Error {
  override readonly name = "TensorError";
  constructor(
    readonly code: TensorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function assertDimension(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new TensorError("INVALID_ARGUMENT", `${what} must be a non-negative integer, got ${value}`);
  }
}

export function assertPositive(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new TensorError("INVALID_ARGUMENT", `${what} must be a positive integer, got ${value}`);
  }
}

/** Kernels read the first `needed` elements; a shorter buffer is a caller bug worth naming. */
export function assertLength(array: ArrayLike<number>, needed: number, what: string): void {
  if (array.length < needed) {
    throw new TensorError(
      "SHAPE_MISMATCH",
      `${what} has ${array.length} elements but the shape needs ${needed}`,
    );
  }
}
