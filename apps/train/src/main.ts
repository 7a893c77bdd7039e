// The `train` CLI: pnpm --filter @onebit/train run train -- --preset mnist-tiny
import { disableThreads, enableThreads } from "@onebit/tensor/node";
import { CommanderError, defaultOutPath, parseArgs } from "./cli.js";
import { TrainError } from "./errors.js";
import { createProgress } from "./progress.js";
import { reportSummaryLines } from "./report.js";
import { runTraining } from "./run.js";

async function main(argv: string[]): Promise<number> {
  let cli: ReturnType<typeof parseArgs>;
  try {
    cli = parseArgs(argv, undefined, (text) => process.stdout.write(text));
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help") {
        return 0;
      }
      process.stderr.write(`train: ${e.message.replace(/^error: /, "")}\nRun with --help for the flags.\n`);
      return 2;
    }
    throw e;
  }
  // Threaded GEMMs give bit-identical results, so the thread count is not part of the config. Set it
  // always: @onebit/tensor/node uses every core unless told otherwise.
  enableThreads(cli.threads);
  const result = await runTraining({
    config: cli.config,
    explicit: cli.explicit,
    out: cli.out ?? defaultOutPath,
    checkpointDir: cli.checkpointDir,
    keepCheckpoints: cli.keepCheckpoints,
    resume: cli.resume,
    dataFrom: cli.dataFrom,
    referenceCheck: cli.referenceCheck,
    recalibrateBatches: cli.recalibrateBatches,
    progress: createProgress(process.stderr, { steps: !cli.quiet }),
    log: (line) => process.stdout.write(`${line}\n`),
    command: `train ${argv.join(" ")}`,
  }).finally(() => disableThreads());
  for (const line of reportSummaryLines(result.report)) process.stdout.write(`${line}\n`);
  process.stdout.write(
    `wrote ${result.paths.model}\n      ${result.paths.report}\n      ${result.paths.svg}\n`,
  );
  if (result.paths.lastCheckpoint) process.stdout.write(`last checkpoint: ${result.paths.lastCheckpoint}\n`);
  return 0;
}

// pnpm passes a literal "--" through to the script; drop it.
const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
main(args).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const code =
      e instanceof TrainError || (e as { code?: unknown })?.code
        ? ` [${String((e as { code?: unknown }).code)}]`
        : "";
    process.stderr.write(`train: ${(e as Error)?.message ?? String(e)}${code}\n`);
    process.exitCode = 1;
  },
);
