// The `compare` CLI: pnpm --filter @onebit/train run compare -- a.report.json b.report.json
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { comparisonMarkdown, compareAtBudget } from "./compare.js";
import { REPORT_SCHEMA, type TrainReport } from "./report.js";

/** The report at `path`, or the one-line reason it is not one. */
function readReport(path: string): TrainReport | string {
  let report: TrainReport;
  try {
    report = JSON.parse(readFileSync(path, "utf8")) as TrainReport;
  } catch (e) {
    return `${path}: not a readable JSON file (${(e as Error).message})`;
  }
  if (report?.schema !== REPORT_SCHEMA || !Array.isArray(report.epochs))
    return `${path}: not a training report (schema "${REPORT_SCHEMA}" expected)`;
  return report;
}

const program = new Command("compare")
  .description(
    "Compare training runs at the same training-time budget (default: the shortest run's training time) and print a Markdown table.",
  )
  .argument("<reports...>", "the <preset>.report.json files the train CLI wrote")
  .option("--budget-min <minutes>", "the budget in minutes of training steps", (v) => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError(`--budget-min must be a positive number, got "${v}"`);
    return n;
  })
  .action((paths: string[], options: { budgetMin?: number }) => {
    const reports: TrainReport[] = [];
    for (const read of paths.map(readReport)) {
      if (typeof read === "string") program.error(`compare: ${read}`, { exitCode: 2 });
      else reports.push(read);
    }
    const budget = options.budgetMin === undefined ? undefined : options.budgetMin * 60;
    process.stdout.write(comparisonMarkdown(compareAtBudget(reports, budget)));
  });

program.parse(process.argv.filter((a, i) => !(i === 2 && a === "--")));
