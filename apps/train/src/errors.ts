export type TrainErrorCode =
  | "INVALID_ARGUMENT"
  | "BAD_CHECKPOINT"
  | "RESUME_MISMATCH"
  | "EXPORT_MISMATCH"
  | "IO_ERROR";

/** The one error class of the training app: a machine-readable `code` and a message naming the problem. */
export class TrainError extends Error {
  readonly code: TrainErrorCode;
  constructor(code: TrainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TrainError";
    this.code = code;
  }
}
