import type { GraphModel, ModelCost, OnebitModel } from "@onebit/format";
import { describeCost as describeModelCost } from "@onebit/format/chain";
import { compilePlan } from "./compile.js";
import { RuntimeError } from "./errors.js";
import {
  type LimitViolation,
  type ResolvedLimits,
  type RuntimeLimits,
  costViolations,
  planViolation,
  resolveLimits,
} from "./limits.js";
import { type LoadedModel, loadModel } from "./model-source.js";

/** A model's cost, the memory its plan reserves, and the limits in force (what `onebit inspect` shows). */
export interface CostReport {
  readonly cost: ModelCost;
  /** Bytes of WebAssembly memory a session with these options reserves; undefined when no plan fits 4 GiB. */
  readonly planBytes: number | undefined;
  /** Samples one pass holds (the plan's capacity). */
  readonly samplesPerPass: number | undefined;
  readonly limits: ResolvedLimits;
  /** Limits the model goes beyond: a session with these options would refuse it with LIMIT_EXCEEDED. */
  readonly violations: readonly LimitViolation[];
}

export interface CostReportOptions {
  readonly limits?: RuntimeLimits;
  /** Threads the session would use (their scratch counts in the plan; default 1). */
  readonly threads?: number;
  readonly maxBatch?: number;
}

/**
 * Counts a model's cost and plans it (without allocating its memory) to report the plan's size and
 * every limit it goes beyond — the checks `InferenceSession.create` makes before it allocates.
 */
export function describeCost(
  source: Uint8Array | OnebitModel | GraphModel | LoadedModel,
  options: CostReportOptions = {},
): CostReport {
  const limits = resolveLimits(options.limits);
  const loaded =
    "graphValues" in source ? source : loadModel(source as Uint8Array | OnebitModel | GraphModel);
  const violations = costViolations(loaded.cost, limits);
  let planBytes: number | undefined;
  let samplesPerPass: number | undefined;
  try {
    const { plan } = compilePlan(loaded.graph, loaded.graphValues, {
      threadSlots: Math.max(1, options.threads ?? 1),
      ...(options.maxBatch ? { capacity: options.maxBatch } : {}),
    });
    planBytes = plan.memoryBytes;
    samplesPerPass = plan.capacity;
    const tooLarge = planViolation(planBytes, limits);
    if (tooLarge) violations.push(tooLarge);
  } catch (error) {
    if (!(error instanceof RuntimeError && error.code === "OUT_OF_MEMORY")) throw error;
  }
  return { cost: loaded.cost, planBytes, samplesPerPass, limits, violations };
}

function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return "no limit";
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function fmtCount(n: number): string {
  return Number.isFinite(n) ? n.toExponential(2) : "no limit";
}

/** `describeCost`'s report as text: the cost, the plan's memory, the limits in force and any exceeded. */
export function formatCostReport(r: CostReport): string {
  const lines = [describeModelCost(r.cost)];
  lines.push(
    r.planBytes === undefined
      ? "  plan: does not fit a 4 GiB WebAssembly memory"
      : `  plan: ${fmtBytes(r.planBytes)} of WebAssembly memory (${r.samplesPerPass} samples per pass)`,
  );
  const l = r.limits;
  lines.push(
    `  limits: maxMacsPerSample ${fmtCount(l.maxMacsPerSample)}, maxComparisonsPerSample ${fmtCount(l.maxComparisonsPerSample)}, maxPlanBytes ${fmtBytes(l.maxPlanBytes)}, maxResultBytes ${fmtBytes(l.maxResultBytes)}`,
  );
  for (const v of r.violations) lines.push(`  EXCEEDS ${v.limit}: ${v.what} (limit ${v.max})`);
  return lines.join("\n");
}
