/** Machine-readable reasons a `.tflite` file or an argument is rejected. */
export type LceErrorCode =
  /** The bytes are not a TensorFlow Lite flatbuffer (no `TFL3` identifier). */
  | "BAD_MAGIC"
  /** An offset, vector or string points outside the bytes. */
  | "TRUNCATED"
  /** The FlatBuffer structure itself is malformed (vtable, union tag, alignment of a table). */
  | "MALFORMED"
  /** A size exceeds a cap of {@link ImportLimits} (raise it through the option named in the message). */
  | "TOO_LARGE"
  /** The model is structurally readable but inconsistent: a tensor index, shape, buffer size or option. */
  | "BAD_MODEL"
  /** The model uses an operator, type or option value this importer does not implement. */
  | "UNSUPPORTED_MODEL"
  /** A caller passed an invalid argument. */
  | "INVALID_ARGUMENT";

/** The one error class of @onebit/lce; `code` is machine-readable, the message names the field or offset. */
export class LceError extends Error {
  override readonly name = "LceError";
  constructor(
    readonly code: LceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
