/** Machine-readable reasons a file, header or argument is rejected (SPEC.md gives each check's code). */
export type FormatErrorCode =
  /** The first 8 bytes are not the .onebit (or a safetensors header is not what it says). */
  | "BAD_MAGIC"
  /** The file's major version is not one this reader implements. */
  | "UNSUPPORTED_VERSION"
  /** The input ends before the structure it declares. */
  | "TRUNCATED"
  /** The CRC-32 stored in the file does not match its bytes. */
  | "CHECKSUM_MISMATCH"
  /** The fixed header, the JSON text or the metadata is malformed. */
  | "BAD_HEADER"
  /** A tensor table entry or tensor's bytes are malformed. */
  | "BAD_TENSOR"
  /** The graph is malformed: unknown op, bad attribute, missing tensor, shapes that do not chain. */
  | "BAD_GRAPH"
  /** A size exceeds a cap (header bytes, tensor count, elements). */
  | "TOO_LARGE"
  /** A caller passed an invalid argument (e.g. to a folding helper or the writer). */
  | "INVALID_ARGUMENT"
  /** Reading or writing a file failed (Node.js helpers); `cause` holds the system error. */
  | "IO_ERROR";

/** The one error class of @onebit/format; `code` is machine-readable, the message names the field or offset. */
export class FormatError extends Error {
  override readonly name = "FormatError";
  constructor(
    readonly code: FormatErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
