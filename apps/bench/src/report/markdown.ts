import type { BenchReport } from "./report.js";
import { headline, sectionTables } from "./tables.js";
import { markdownTable } from "./text-table.js";
import { machineLines } from "./terminal.js";

/** report.md: the same tables as the terminal, in GitHub-flavoured Markdown, with the chart linked. */
export function renderMarkdown(r: BenchReport, chartFile = "speedup.svg"): string {
  const out: string[] = [
    "# onebit benchmark",
    "",
    `Produced by \`${r.command}\` (${r.options.mode}${r.options.filter ? `, filter /${r.options.filter}/` : ""}, ${r.options.threads} threads for multi-threaded variants) on ${r.createdAt}, in ${r.durationSeconds.toFixed(1)} s.`,
    "",
    ...machineLines(r.machine).map((l) => `- ${l}`),
    "",
    "Times are medians of repeated runs after warm-up, with the interquartile range (p25–p75). Every",
    "implementation's answer is checked against a reference before it is timed; a wrong answer is reported, not timed.",
    "Speedup is the group's baseline median divided by this median; size ratio is baseline weight bytes over these.",
    "",
    `![speedup per workload](${chartFile})`,
    "",
  ];
  for (const s of r.sections) {
    out.push(`## ${s.title}`, "", s.description, "");
    for (const t of sectionTables(s)) {
      if (t.caption) out.push(`**${t.caption}**`, "");
      out.push(markdownTable(t.columns, t.rows), "");
    }
    const h = headline(s);
    for (const l of h) out.push(`- **${l}**`);
    for (const e of s.errors ?? []) out.push(`- **FAILED:** ${e}`);
    for (const n of s.notes) out.push(`- ${n}`);
    if (h.length > 0 || s.notes.length > 0) out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
