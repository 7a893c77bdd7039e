// The runtime's limits (model cost, plan memory, result size) as `onebit` options, and the hint that
// turns the API's "raise it with the option limits: { … }" into the flag a CLI user types.
import { DEFAULT_LIMITS, RuntimeError, type RuntimeLimits } from "@onebit/runtime";
import { type Command, InvalidArgumentError } from "commander";

/** Each runtime limit's CLI flag. */
export const RUNTIME_LIMIT_FLAGS: Readonly<Record<keyof RuntimeLimits, string>> = {
  maxMacsPerSample: "--max-macs",
  maxComparisonsPerSample: "--max-comparisons",
  maxPlanBytes: "--max-plan-bytes",
  maxResultBytes: "--max-result-bytes",
};

const DESCRIPTIONS: Readonly<Record<keyof RuntimeLimits, string>> = {
  maxMacsPerSample: "refuse a model needing more multiply-accumulates per sample",
  maxComparisonsPerSample: "refuse a model needing more comparisons (pooling, thresholds) per sample",
  maxPlanBytes: "refuse a model whose plan needs more bytes of WebAssembly memory",
  maxResultBytes: "refuse a run whose result would take more bytes",
};

/** A positive integer, or "none" / "Infinity" for no cap. */
function limitValue(value: string): number {
  if (value === "none" || value === "Infinity") return Number.POSITIVE_INFINITY;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive integer or "none"');
  return n;
}

/** Adds --max-macs, --max-comparisons, --max-plan-bytes and --max-result-bytes to `command`. */
export function addRuntimeLimitOptions(command: Command): Command {
  for (const [name, flag] of Object.entries(RUNTIME_LIMIT_FLAGS) as [keyof RuntimeLimits, string][]) {
    command.option(
      `${flag} <n>`,
      `${DESCRIPTIONS[name]} (default ${DEFAULT_LIMITS[name]}; "none": no cap)`,
      limitValue,
    );
  }
  return command;
}

/** commander's attribute name of a flag: --max-plan-bytes → maxPlanBytes. */
const attribute = (flag: string) => flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The `limits` option of a session from the parsed flags (only those given). */
export function limitsFromFlags(flags: object): RuntimeLimits {
  const limits: Record<string, number> = {};
  for (const [name, flag] of Object.entries(RUNTIME_LIMIT_FLAGS)) {
    const v = (flags as Record<string, unknown>)[attribute(flag)];
    if (typeof v === "number") limits[name] = v;
  }
  return limits as RuntimeLimits;
}

/** For a LIMIT_EXCEEDED error from the runtime, the CLI flag that raises it (appended to the message). */
export function limitFlagHint(error: unknown): string {
  if (!(error instanceof RuntimeError) || error.code !== "LIMIT_EXCEEDED" || !error.limit) return "";
  const flag = RUNTIME_LIMIT_FLAGS[error.limit.name as keyof RuntimeLimits];
  return flag ? ` (onebit: ${flag} ${error.limit.value})` : "";
}
