import { ProgressLine } from "@onebit/nn";
import { performance } from "node:perf_hooks";
import type { BenchOptions } from "./cli.js";
import { registerNative } from "./harness/native.js";
import { FULL_MEASURE, QUICK_MEASURE } from "./harness/measure.js";
import { compareWithBaselines, runCase } from "./harness/run-case.js";
import {
  type BenchContext,
  type CaseResult,
  type CaseSpec,
  type Section,
  type SectionResult,
  caseId,
} from "./harness/types.js";
import { describeMachine } from "./machine.js";
import { type BenchReport, REPORT_SCHEMA, reportOptions } from "./report/report.js";
import { convSection } from "./sections/conv.js";
import { browserSection } from "./sections/browser.js";
import { gemmSection } from "./sections/gemm.js";
import { residualSection } from "./sections/residual.js";
import { memorySection } from "./sections/memory.js";
import { modelsSection } from "./sections/models.js";

export const SECTIONS: readonly Section[] = [
  gemmSection,
  convSection,
  modelsSection,
  residualSection,
  memorySection,
  browserSection,
];

/** --browser: the browser section alone; --full: every section; --quick: all but the browser one. */
function selected(options: BenchOptions, sections: readonly Section[]): readonly Section[] {
  if (options.browser) return sections.filter((s) => s.id === "browser");
  return options.mode === "full" ? sections : sections.filter((s) => s.id !== "browser");
}

/** Cases of the same workload next to each other (stable: plan order within a group). */
export function byGroup(cases: readonly CaseSpec[]): CaseSpec[] {
  const order = new Map<string, number>();
  for (const c of cases) if (!order.has(c.group)) order.set(c.group, order.size);
  return cases
    .map((c, i) => ({ c, i }))
    .sort((a, b) => order.get(a.c.group)! - order.get(b.c.group)! || a.i - b.i)
    .map((x) => x.c);
}

/**
 * Runs every section: plan its cases, drop those the filter excludes, gate and time each in turn
 * (one at a time: the cores are the thing being measured), then fill the speedup columns.
 */
export async function runBench(
  options: BenchOptions,
  command: string,
  sections: readonly Section[] = SECTIONS,
  onMachine?: (m: BenchReport["machine"]) => void,
): Promise<BenchReport> {
  const started = performance.now();
  const ctx: BenchContext = {
    quick: options.mode === "quick",
    threads: options.threads,
    browser: options.browser === true || options.mode === "full",
    ...(options.filter ? { filter: options.filter } : {}),
  };
  await registerNative();
  const machine = await describeMachine();
  onMachine?.(machine);
  const measureOptions = ctx.quick ? QUICK_MEASURE : FULL_MEASURE;
  // Which case of how many is running, shown only on a terminal (never in pipes, CI logs or --json).
  const progress = new ProgressLine(process.stderr);
  let total = 0;
  let finished = 0;
  const announce = (label: string) =>
    progress.status(`[${finished + 1}/${Math.max(total, finished + 1)}] ${label}`);
  const results: SectionResult[] = [];
  for (const section of selected(options, sections)) {
    const sectionStart = performance.now();
    announce(`${section.id}: planning`);
    const plan = await section.plan(ctx);
    const cases = byGroup(plan.cases.filter((c) => !options.filter || options.filter.test(caseId(c))));
    // A section without timed cases (memory) runs when the filter names it or there is no filter.
    const runsFinish =
      plan.finish && (!options.filter || options.filter.test(section.id) || cases.length > 0);
    if (options.filter && cases.length === 0 && !runsFinish) continue;
    total += cases.length + (runsFinish ? 1 : 0);
    const done: CaseResult[] = [];
    for (const c of cases) {
      announce(caseId(c));
      done.push(await runCase(c, measureOptions, ctx.quick ? 120_000 : 600_000));
      finished++;
    }
    const compared = compareWithBaselines(done);
    let extra: Record<string, unknown> | undefined;
    if (runsFinish) {
      announce(`${section.id}: measuring`);
      extra = await plan.finish!(compared);
      finished++;
    }
    results.push({
      id: section.id,
      title: section.title,
      description: section.description,
      results: compared,
      notes: plan.notes,
      seconds: (performance.now() - sectionStart) / 1000,
      ...(plan.errors && plan.errors.length > 0 ? { errors: plan.errors } : {}),
      ...(extra ? { extra } : {}),
    });
  }
  progress.clear();
  return {
    schema: REPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    command,
    options: reportOptions(options),
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    sections: results,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** The ids of the cases a run with these options would time, section by section (nothing runs). */
export async function listCases(
  options: BenchOptions,
  sections: readonly Section[] = SECTIONS,
): Promise<string[]> {
  const ctx: BenchContext = {
    quick: options.mode === "quick",
    threads: options.threads,
    listOnly: true,
    browser: options.browser === true || options.mode === "full",
    ...(options.filter ? { filter: options.filter } : {}),
  };
  await registerNative();
  const ids: string[] = [];
  for (const section of selected(options, sections)) {
    const plan = await section.plan(ctx);
    const cases = byGroup(plan.cases).map(caseId);
    ids.push(...cases.filter((id) => !options.filter || options.filter.test(id)));
    if (plan.finish && (!options.filter || options.filter.test(section.id)))
      ids.push(`${section.id} (untimed figures)`);
  }
  return ids;
}

/** Cases whose answer was wrong or that threw, and section-level errors: the run fails so CI notices. */
export function failures(r: BenchReport): string[] {
  return r.sections.flatMap((s) => [
    ...s.results
      .filter((x) => x.status === "wrong" || x.status === "error")
      .map((x) => `${x.id}: ${x.status}: ${x.note ?? ""}`),
    ...(s.errors ?? []).map((e) => `${s.id}: ${e}`),
  ]);
}
