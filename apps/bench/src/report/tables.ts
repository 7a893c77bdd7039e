import {
  formatBytes,
  formatOutcome,
  formatRate,
  formatRatio,
  formatSeconds,
  formatSpread,
} from "../harness/format.js";
import type { CaseResult, SectionResult } from "../harness/types.js";
import type { ModelBytesRow, PeakRssRow } from "../sections/memory.js";
import type { LayerProfile } from "../sections/runtime-runners.js";
import type { Column } from "./text-table.js";

/** One table of a section, independent of where it is printed (terminal or Markdown). */
export interface TableData {
  readonly caption?: string;
  readonly columns: readonly Column[];
  /** `null` separates groups. */
  readonly rows: readonly (readonly string[] | null)[];
}

const RESULT_COLUMNS: readonly Column[] = [
  { header: "workload" },
  { header: "implementation" },
  { header: "thr", align: "right" },
  { header: "median", align: "right" },
  { header: "p25–p75", align: "right" },
  { header: "CPU/run", align: "right" },
  { header: "throughput", align: "right" },
  { header: "speedup", align: "right" },
  { header: "CPU speedup", align: "right" },
  { header: "size ratio", align: "right" },
  { header: "note" },
];

function resultRow(r: CaseResult, firstOfGroup: boolean): string[] {
  const note =
    r.status === "ok" ? (r.baseline ? "baseline" : "") : `${r.status.toUpperCase()}: ${r.note ?? ""}`;
  return [
    firstOfGroup ? r.group : "",
    r.label,
    String(r.threads),
    formatOutcome(r),
    formatSpread(r),
    r.cpuTime ? formatSeconds(r.cpuTime.median) : "",
    r.rate !== undefined && r.work ? formatRate(r.rate, r.work.unit) : "",
    formatRatio(r.speedup),
    formatRatio(r.cpuSpeedup),
    formatRatio(r.sizeRatio),
    note,
  ];
}

export function resultsTable(results: readonly CaseResult[]): TableData {
  const rows: (string[] | null)[] = [];
  let group: string | undefined;
  for (const r of results) {
    const first = r.group !== group;
    if (first && group !== undefined) rows.push(null);
    group = r.group;
    rows.push(resultRow(r, first));
  }
  return { columns: RESULT_COLUMNS, rows };
}

function isRecordArray(x: unknown): x is Record<string, unknown>[] {
  return Array.isArray(x) && x.every((r) => typeof r === "object" && r !== null);
}

function cell(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === "string") return v;
  return v === undefined || v === null ? "" : JSON.stringify(v);
}

/**
 * Any list of flat objects as a table (columns = the union of their keys): for the section files' own
 * rows. Wide lists (many keys, few rows) are transposed, one column per row headed by its first value,
 * so a 20-metric kernel table stays readable in a terminal.
 */
export function genericTable(rows: readonly Record<string, unknown>[], caption?: string): TableData {
  const keys: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
  const numeric = (k: string) => rows.every((r) => r[k] === undefined || typeof r[k] === "number");
  if (keys.length > 8 && rows.length <= 12) {
    const [head, ...rest] = keys as [string, ...string[]];
    return {
      ...(caption ? { caption } : {}),
      columns: [{ header: head }, ...rows.map((r) => ({ header: cell(r[head]), align: "right" as const }))],
      rows: rest.map((k) => [k, ...rows.map((r) => cell(r[k]))]),
    };
  }
  return {
    ...(caption ? { caption } : {}),
    columns: keys.map((k) => ({ header: k, align: numeric(k) ? "right" : "left" })),
    rows: rows.map((r) => keys.map((k) => cell(r[k]))),
  };
}

function modelBytesTable(rows: readonly ModelBytesRow[]): TableData {
  return {
    caption: "Model bytes",
    columns: [
      { header: "model" },
      { header: "binary", align: "right" },
      { header: "float32", align: "right" },
      { header: "size ratio", align: "right" },
      { header: "what is counted" },
    ],
    rows: rows.map((r) => [
      r.model,
      formatBytes(r.binaryBytes),
      formatBytes(r.float32Bytes),
      formatRatio(r.ratio),
      r.what,
    ]),
  };
}

function peakRssTable(rows: readonly PeakRssRow[]): TableData {
  return {
    caption: "Peak resident memory (one fresh process each, batch-1 inference)",
    columns: [
      { header: "process" },
      { header: "peak RSS", align: "right" },
      { header: "over baseline", align: "right" },
      { header: "note" },
    ],
    rows: rows.map((r) => [
      r.label,
      r.maxRssBytes !== undefined ? formatBytes(r.maxRssBytes) : "–",
      r.overBaselineBytes !== undefined ? formatBytes(r.overBaselineBytes) : "",
      r.note ?? "",
    ]),
  };
}

function profileTable(p: LayerProfile): TableData {
  const total = p.steps.reduce((a, s) => a + s.ms, 0);
  return {
    caption: `Per-layer time: ${p.model}, batch ${p.batch} (@onebit/runtime Engine.profile, median of ${p.repeats} passes per step)`,
    columns: [
      { header: "node" },
      { header: "step" },
      { header: "rows", align: "right" },
      { header: "time", align: "right" },
      { header: "share", align: "right" },
    ],
    rows: [
      ...p.steps.map((s) => [
        s.node,
        s.op,
        String(s.rows),
        formatSeconds(s.ms / 1000),
        total > 0 ? `${((100 * s.ms) / total).toFixed(1)} %` : "",
      ]),
      ["total", "", "", formatSeconds(total / 1000), "100 %"],
    ],
  };
}

/** Every table of a section: its timed results, then whatever its `extra` figures hold. */
export function sectionTables(s: SectionResult): TableData[] {
  const tables: TableData[] = [];
  if (s.results.length > 0) tables.push(resultsTable(s.results));
  const extra = s.extra ?? {};
  if (isRecordArray(extra.modelBytes))
    tables.push(modelBytesTable(extra.modelBytes as unknown as ModelBytesRow[]));
  if (isRecordArray(extra.shippedModels) && extra.shippedModels.length > 0) {
    tables.push(genericTable(extra.shippedModels, "Shipped .onebit model files"));
  }
  if (isRecordArray(extra.profiles)) {
    for (const p of extra.profiles as unknown as LayerProfile[]) tables.push(profileTable(p));
  }
  if (isRecordArray(extra.peakRss)) tables.push(peakRssTable(extra.peakRss as unknown as PeakRssRow[]));
  if (isRecordArray(extra.glueTable))
    tables.push(genericTable(extra.glueTable, "Batch-1 time over the sum of its steps' profiled times"));
  if (isRecordArray(extra.memoryTable))
    tables.push(genericTable(extra.memoryTable, "Planned activation memory per sample vs the largest layer"));
  return tables;
}

function fasterOrSlower(speedup: number): string {
  return speedup >= 1 ? `${formatRatio(speedup)} faster` : `${formatRatio(1 / speedup)} slower`;
}

/** One-line summary per workload: the best single-threaded binary speedup over the baseline. */
export function headline(s: SectionResult): string[] {
  const lines: string[] = [];
  const groups = [...new Set(s.results.map((r) => r.group))];
  for (const g of groups) {
    const rs = s.results.filter((r) => r.group === g && r.status === "ok" && r.speedup !== undefined);
    // Like with like: the fastest single-threaded binary case against the single-threaded baseline.
    const b = rs
      .filter((r) => r.precision === "binary" && r.threads === 1)
      .sort((x, y) => y.speedup! - x.speedup!)[0];
    const base = s.results.find((r) => r.group === g && r.baseline && r.status === "ok");
    if (b && base) {
      lines.push(
        `${g}: binary ${formatSeconds(b.time!.median)} vs ${formatSeconds(base.time!.median)} float32 baseline → ${fasterOrSlower(b.speedup!)}${b.cpuSpeedup ? ` (${formatRatio(b.cpuSpeedup)} in CPU time)` : ""}${b.sizeRatio ? `, ${formatRatio(b.sizeRatio)} smaller` : ""}`,
      );
    }
  }
  return lines;
}
