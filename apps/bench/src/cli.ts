import os from "node:os";
import path from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";

export interface BenchOptions {
  /** --quick (default) or --full. */
  readonly mode: "quick" | "full";
  /** Only cases whose id (section/group/impl) matches run. */
  readonly filter?: RegExp;
  /** Threads for the "all threads" variants. */
  readonly threads: number;
  /** JSON on stdout (human output goes to stderr). */
  readonly json: boolean;
  /** Absolute folder for results.json, report.md and speedup.svg. */
  readonly outDir: string;
  /** Print the case ids (after --filter) and exit without timing anything. */
  readonly list: boolean;
  /** Only the browser section (headless Chromium); --full runs it after the Node.js sections. */
  readonly browser?: boolean;
}

export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    /** 0 for --help / --version output, 1 for a usage error. */
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function parseThreads(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new InvalidArgumentError(`expected a whole number of threads from 1 to 1024, got "${value}"`);
  }
  return n;
}

function parseFilter(value: string): RegExp {
  try {
    return new RegExp(value, "i");
  } catch (e) {
    throw new InvalidArgumentError(
      `not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function buildCommand(write: (s: string) => void): Command {
  return new Command("onebit-bench")
    .description(
      "onebit benchmark: XNOR-popcount kernels vs float32 baselines (onnxruntime-node), conv layers, whole models, memory.",
    )
    .option("--quick", "a representative subset, a few minutes (default)")
    .option("--full", "every shape and model, several minutes")
    .option(
      "--filter <regex>",
      "only cases whose id section/group/impl matches (case-insensitive)",
      parseFilter,
    )
    .option("--threads <n>", "threads for the multi-threaded variants (default: all cores)", parseThreads)
    .option("--json", "print the results as JSON on stdout (the table goes to stderr)")
    .option("--out <dir>", "folder for results.json, report.md and speedup.svg", "bench-results")
    .option(
      "--browser",
      "only the browser section: runtime-web vs onnxruntime-web and TensorFlow.js in headless Chromium",
    )
    .option("--list", "print the ids of the cases that would run (for --filter) and exit")
    .addHelpText(
      "after",
      "\nExamples:\n  pnpm bench\n  pnpm bench --full --threads 2\n  pnpm bench --browser\n  pnpm bench --filter 'gemm/.*4096' --out gemm-results\n  pnpm --silent --filter @onebit/bench bench --json > bench.json   (packages already built)\n",
    )
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: write })
    .allowExcessArguments(false);
}

/**
 * Parses the benchmark's arguments (without the node and script entries). Throws CliError for --help
 * (exit code 0, the help text as message) and for usage errors (exit code 1).
 * Relative --out paths are taken from where the user ran the command (INIT_CWD under pnpm).
 */
export function parseCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): BenchOptions {
  let printed = "";
  const program = buildCommand((s) => {
    printed += s;
  });
  // pnpm passes a literal "--" through when the user writes `pnpm bench -- --full`.
  const args = argv.filter((a, i) => !(a === "--" && i === 0));
  try {
    program.parse(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      const help = e.code === "commander.helpDisplayed" || e.code === "commander.version";
      throw new CliError(printed.trim() || e.message, help ? 0 : 1);
    }
    throw e;
  }
  const o = program.opts<{
    quick?: boolean;
    full?: boolean;
    filter?: RegExp;
    threads?: number;
    json?: boolean;
    out: string;
    list?: boolean;
    browser?: boolean;
  }>();
  if (o.quick && o.full) throw new CliError("error: --quick and --full cannot be used together", 1);
  const base = env.INIT_CWD ?? cwd;
  return {
    mode: o.full ? "full" : "quick",
    ...(o.filter ? { filter: o.filter } : {}),
    threads: o.threads ?? os.availableParallelism(),
    json: o.json === true,
    outDir: path.resolve(base, o.out),
    list: o.list === true,
    ...(o.browser ? { browser: true } : {}),
  };
}
