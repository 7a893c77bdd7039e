import type { ModelCost } from "@onebit/format";
import { RuntimeError } from "./errors.js";

/**
 * Caps on what one model or one run may make the engine spend (time, memory, output size), checked
 * before anything is allocated or run. Each can be raised (or lowered) per session with the
 * `limits` option; `maxResultBytes` also per run. Positive integers, or Infinity for "no cap".
 */
export interface RuntimeLimits {
  /** Multiply-accumulates per sample: binary + 8-bit × 1-bit + float32 (default 2³³ ≈ 8.6 G). */
  readonly maxMacsPerSample?: number;
  /** Pooling-window reads, threshold comparisons and other element work per sample (default 2³⁰ ≈ 1.07 G). */
  readonly maxComparisonsPerSample?: number;
  /** Bytes of the WebAssembly memory a plan reserves: weights, scratch, activations (default 1 GiB). */
  readonly maxPlanBytes?: number;
  /** Bytes of one run's result: logits, probabilities, predictions (default 256 MiB). */
  readonly maxResultBytes?: number;
}

export type ResolvedLimits = { readonly [K in keyof RuntimeLimits]-?: number };

/** The defaults, documented in the README and SPEC.md §5.7. */
export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze({
  maxMacsPerSample: 2 ** 33,
  maxComparisonsPerSample: 2 ** 30,
  maxPlanBytes: 2 ** 30,
  maxResultBytes: 2 ** 28,
});

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof RuntimeLimits)[];

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return Array.isArray(v) ? "an array" : "an object";
  return String(v);
}

/**
 * `limits` over `base`: undefined keeps `base`; an object may set any of `allowed` to a positive
 * integer or Infinity. Anything else — NaN, 0, negative, fractional, a string, an unknown name — is
 * RuntimeError INVALID_ARGUMENT, so that a typo or a NaN never switches a limit off.
 */
export function resolveLimits(
  limits: unknown,
  base: ResolvedLimits = DEFAULT_LIMITS,
  allowed: readonly (keyof RuntimeLimits)[] = LIMIT_NAMES,
  what = "limits",
): ResolvedLimits {
  if (limits === undefined) return base;
  if (typeof limits !== "object" || limits === null || Array.isArray(limits))
    throw new RuntimeError("INVALID_ARGUMENT", `${what}: expected an object, got ${describe(limits)}`);
  const out: Record<string, number> = { ...base };
  for (const [key, v] of Object.entries(limits)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `${what}.${key}: unknown limit (known here: ${allowed.join(", ")})`,
      );
    }
    if (v === undefined) continue;
    if (typeof v !== "number" || !(v === Number.POSITIVE_INFINITY || (Number.isInteger(v) && v >= 1))) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `${what}.${key}: expected a positive integer or Infinity, got ${describe(v)}`,
      );
    }
    out[key] = v;
  }
  return out as ResolvedLimits;
}

/** One limit a model or run goes beyond. */
export interface LimitViolation {
  /** The limit's option name, e.g. "maxPlanBytes". */
  readonly limit: keyof RuntimeLimits;
  readonly value: number;
  readonly max: number;
  /** What was counted, in words. */
  readonly what: string;
}

export function limitError(v: LimitViolation): RuntimeError {
  return new RuntimeError(
    "LIMIT_EXCEEDED",
    `${v.what}: ${v.value} exceeds the limit ${v.limit} = ${v.max}; raise it with the option limits: { ${v.limit}: ${v.value} } if this is intended`,
    { limit: { name: v.limit, value: v.value, max: v.max } },
  );
}

/** The MAC and comparison counts of `cost` that exceed `limits` (the model's compute, before planning). */
export function costViolations(cost: ModelCost, limits: ResolvedLimits): LimitViolation[] {
  const out: LimitViolation[] = [];
  const macs = cost.binaryMacs + cost.int8Macs + cost.floatMacs;
  if (macs > limits.maxMacsPerSample) {
    out.push({
      limit: "maxMacsPerSample",
      value: macs,
      max: limits.maxMacsPerSample,
      what: `the model needs ${macs} multiply-accumulates per sample (${cost.binaryMacs} binary, ${cost.int8Macs} 8-bit, ${cost.floatMacs} float)`,
    });
  }
  if (cost.comparisons > limits.maxComparisonsPerSample) {
    out.push({
      limit: "maxComparisonsPerSample",
      value: cost.comparisons,
      max: limits.maxComparisonsPerSample,
      what: `the model needs ${cost.comparisons} comparisons per sample (pooling windows, thresholds, softmax)`,
    });
  }
  return out;
}

export function planViolation(planBytes: number, limits: ResolvedLimits): LimitViolation | undefined {
  return planBytes > limits.maxPlanBytes
    ? {
        limit: "maxPlanBytes",
        value: planBytes,
        max: limits.maxPlanBytes,
        what: `the plan needs ${planBytes} bytes of WebAssembly memory (weights, scratch, activations of one pass)`,
      }
    : undefined;
}

export function resultViolation(
  resultBytes: number,
  batch: number,
  limits: ResolvedLimits,
): LimitViolation | undefined {
  return resultBytes > limits.maxResultBytes
    ? {
        limit: "maxResultBytes",
        value: resultBytes,
        max: limits.maxResultBytes,
        what: `the result of a batch of ${batch} takes ${resultBytes} bytes`,
      }
    : undefined;
}
