/** Machine-readable reasons the runtime refuses a model, an input or a call. */
export type RuntimeErrorCode =
  /** The model bytes are not a valid .onebit file (bad magic, checksum, truncated, malformed header…). */
  | "INVALID_MODEL"
  /** The file is valid but uses something this runtime does not run (e.g. a newer major version). */
  | "UNSUPPORTED_MODEL"
  /** The input's element count or explicit shape does not match the model's input. */
  | "SHAPE_MISMATCH"
  /** The input's typed array type does not match the model's input dtype. */
  | "DTYPE_MISMATCH"
  /** The input holds NaN or ±Infinity. */
  | "NON_FINITE_INPUT"
  /** A bad option or argument (threads, backend, batch size, top-k…). */
  | "INVALID_ARGUMENT"
  /** The session (or engine) was disposed and cannot run any more. */
  | "DISPOSED"
  /** A worker thread died or threw while running a batch; the batch has no result. */
  | "WORKER_FAILED"
  /** The model's buffers do not fit in a WebAssembly memory (4 GiB). */
  | "OUT_OF_MEMORY"
  /** Reading a model file failed (runtimes with file access); `cause` holds the system error. */
  | "IO_ERROR"
  /**
   * The model or the run would go beyond a limit (MACs, comparisons, plan memory, result size);
   * `limit` names it, and the message says which option raises it.
   */
  | "LIMIT_EXCEEDED"
  /** `predictions`, `probabilities` or `top` of a model whose output is not a vector of class scores. */
  | "NOT_A_CLASSIFIER";

/** Which limit a LIMIT_EXCEEDED error hit: the option name, the value asked for, the limit in force. */
export interface ExceededLimit {
  readonly name: string;
  readonly value: number;
  readonly max: number;
}

/** The one error class of @onebit/runtime and its environment packages; `code` is machine-readable. */
export class RuntimeError extends Error {
  override readonly name = "RuntimeError";
  /** For LIMIT_EXCEEDED: the limit, the value and the maximum. */
  readonly limit: ExceededLimit | undefined;
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { cause?: unknown; limit?: ExceededLimit },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.limit = options?.limit;
  }
}
