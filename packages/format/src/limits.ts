/** Caps a reader enforces before it trusts a size (SPEC.md §3.1). */
export const LIMITS = {
  /** Default cap on the JSON header, in bytes (a reader option can change it). */
  maxHeaderBytes: 16 * 1024 * 1024,
  /**
   * Default cap on how deeply objects and arrays nest in the JSON header (a reader option can
   * change it). Valid headers nest 5 deep; the cap is checked before JSON.parse runs.
   */
  maxHeaderDepth: 64,
  maxTensors: 65_536,
  maxNodes: 4_096,
  maxRank: 8,
  /** Largest dimension and largest element count of one tensor. */
  maxTensorElements: 2 ** 31 - 1,
  /** Largest element count of one value flowing through the graph (per example). */
  maxValueElements: 2 ** 28,
  /** Longest name, label or metadata string, in UTF-16 code units. */
  maxStringLength: 65_536,
  /** Longest tensor or node name. */
  maxNameLength: 1_024,
  maxLabels: 1_048_576,
  /** Largest |z| an integer layer may produce, so int32 thresholds ±(2³¹ − 1) act as "never"/"always". */
  maxIntegerDot: 2 ** 31 - 2,
} as const;

/** Alignment of every tensor's start within the file. */
export const TENSOR_ALIGNMENT = 64;

export function align(n: number, to = TENSOR_ALIGNMENT): number {
  return Math.ceil(n / to) * to;
}
