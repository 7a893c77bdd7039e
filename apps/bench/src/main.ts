import { CliError, parseCli } from "./cli.js";
import { renderTerminal } from "./report/terminal.js";
import { writeReport } from "./report/write.js";
import { failures, listCases, runBench } from "./run-bench.js";

/** `pnpm bench [--quick|--full] [--filter re] [--threads n] [--json] [--out dir]` */
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(argv);
  } catch (e) {
    if (e instanceof CliError) {
      (e.exitCode === 0 ? process.stdout : process.stderr).write(`${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  if (options.list) {
    for (const id of await listCases(options)) process.stdout.write(`${id}\n`);
    return 0;
  }
  // With --json, stdout carries only the JSON document; everything for humans goes to stderr.
  const human = options.json ? process.stderr : process.stdout;
  const command = ["pnpm bench", ...argv.filter((a) => a !== "--")].join(" ");
  human.write(`onebit bench (${options.mode}): checking every kernel's answer, then timing it…\n`);
  const report = await runBench(options, command);
  human.write(`\n${renderTerminal(report)}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const cases = report.sections.reduce((n, s) => n + s.results.length, 0);
  if (options.filter && cases === 0 && report.sections.length === 0) {
    process.stderr.write(
      `no case matches --filter ${options.filter.source} (ids look like gemm/64x4096x4096/ort-1t)\n`,
    );
  }
  const files = await writeReport(report, options.outDir);
  human.write(`wrote ${files.join(", ")}\n`);
  const bad = failures(report);
  if (bad.length > 0) {
    process.stderr.write(`\n${bad.length} check(s) found a wrong answer or a failure:\n`);
    for (const b of bad) process.stderr.write(`  ${b}\n`);
    return 1;
  }
  return 0;
}

// Exit explicitly: a case that hung (reported as an error) may still hold worker threads.
process.exit(await main());
