/** Caps applied while reading a `.tflite` file; every one can be raised by the option of the same name. */
export interface ImportLimits {
  /** Largest accepted file, bytes (default 512 MiB). */
  readonly maxFileBytes: number;
  /** Most tensors in the subgraph (default 100 000). */
  readonly maxTensors: number;
  /** Most operators in the subgraph (default 100 000). */
  readonly maxOperators: number;
  /** Most operator codes and most buffers (default 100 000). */
  readonly maxTableEntries: number;
  /** Highest tensor rank (default 8). */
  readonly maxRank: number;
  /** Most elements in one tensor (default 2^28). */
  readonly maxElements: number;
  /** Most inputs or outputs of one operator (default 1024). */
  readonly maxOperatorArity: number;
  /** Largest custom-options blob, bytes (default 64 KiB). */
  readonly maxCustomOptionsBytes: number;
}

export const DEFAULT_LIMITS: ImportLimits = Object.freeze({
  maxFileBytes: 512 * 1024 * 1024,
  maxTensors: 100_000,
  maxOperators: 100_000,
  maxTableEntries: 100_000,
  maxRank: 8,
  maxElements: 2 ** 28,
  maxOperatorArity: 1024,
  maxCustomOptionsBytes: 64 * 1024,
});

export function resolveLimits(partial: Partial<ImportLimits> | undefined): ImportLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}
