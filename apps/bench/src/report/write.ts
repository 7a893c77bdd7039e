import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderMarkdown } from "./markdown.js";
import type { BenchReport } from "./report.js";
import { renderSvg } from "./svg.js";

export const RESULT_FILES = { json: "results.json", markdown: "report.md", svg: "speedup.svg" } as const;

/** Writes results.json, report.md and speedup.svg into `dir`; returns their paths. */
export async function writeReport(r: BenchReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [RESULT_FILES.json, `${JSON.stringify(r, null, 2)}\n`],
    [RESULT_FILES.markdown, renderMarkdown(r, RESULT_FILES.svg)],
    [RESULT_FILES.svg, renderSvg(r)],
  ];
  const written: string[] = [];
  for (const [name, content] of files) {
    const p = path.join(dir, name);
    await writeFile(p, content);
    written.push(p);
  }
  return written;
}
