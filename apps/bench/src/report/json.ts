import { REPORT_SCHEMA } from "./report.js";

/**
 * The shape results.json promises (schema "onebit-bench/1"), checked field by field: tools that read
 * the file (CI dashboards, the README update) can rely on it, and the tests hold the writer to it.
 * Returns the problems found, empty when the document conforms.
 */
export function validateReport(doc: unknown): string[] {
  const problems: string[] = [];
  const obj = (v: unknown, at: string): v is Record<string, unknown> => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return true;
    problems.push(`${at}: expected an object`);
    return false;
  };
  const field = (o: Record<string, unknown>, key: string, type: string, at: string, optional = false) => {
    const v = o[key];
    if (v === undefined) {
      if (!optional) problems.push(`${at}.${key}: missing`);
      return;
    }
    const actual = Array.isArray(v) ? "array" : typeof v;
    if (actual !== type) problems.push(`${at}.${key}: expected ${type}, got ${actual}`);
    else if (type === "number" && !Number.isFinite(v)) problems.push(`${at}.${key}: not a finite number`);
  };
  if (!obj(doc, "$")) return problems;
  if (doc.schema !== REPORT_SCHEMA) problems.push(`$.schema: expected "${REPORT_SCHEMA}"`);
  field(doc, "createdAt", "string", "$");
  field(doc, "command", "string", "$");
  field(doc, "durationSeconds", "number", "$");
  field(doc, "maxRssBytes", "number", "$");
  if (obj(doc.options, "$.options")) {
    if (doc.options.mode !== "quick" && doc.options.mode !== "full")
      problems.push("$.options.mode: quick or full");
    field(doc.options, "threads", "number", "$.options");
    field(doc.options, "filter", "string", "$.options", true);
  }
  if (obj(doc.machine, "$.machine")) {
    for (const k of ["cpuModel", "node", "v8", "platform", "arch"])
      field(doc.machine, k, "string", "$.machine");
    for (const k of ["logicalCores", "availableParallelism", "totalMemoryBytes", "loadAverage1m"]) {
      field(doc.machine, k, "number", "$.machine");
    }
    field(doc.machine, "backends", "array", "$.machine");
  }
  if (!Array.isArray(doc.sections)) {
    problems.push("$.sections: expected an array");
    return problems;
  }
  doc.sections.forEach((s: unknown, i) => {
    const at = `$.sections[${i}]`;
    if (!obj(s, at)) return;
    for (const k of ["id", "title", "description"]) field(s, k, "string", at);
    field(s, "notes", "array", at);
    field(s, "errors", "array", at, true);
    field(s, "seconds", "number", at, true);
    field(s, "extra", "object", at, true);
    if (!Array.isArray(s.results)) {
      problems.push(`${at}.results: expected an array`);
      return;
    }
    s.results.forEach((r: unknown, j) => {
      const rat = `${at}.results[${j}]`;
      if (!obj(r, rat)) return;
      for (const k of ["id", "section", "group", "impl", "label"]) field(r, k, "string", rat);
      field(r, "threads", "number", rat);
      field(r, "baseline", "boolean", rat);
      if (r.precision !== "binary" && r.precision !== "float32")
        problems.push(`${rat}.precision: binary or float32`);
      if (!["ok", "wrong", "error", "skipped"].includes(r.status as string)) {
        problems.push(`${rat}.status: ok, wrong, error or skipped`);
      }
      for (const k of ["rate", "bytes", "speedup", "cpuSpeedup", "sizeRatio", "runsPerSample"])
        field(r, k, "number", rat, true);
      field(r, "note", "string", rat, true);
      if (r.status === "ok") {
        if (obj(r.time, `${rat}.time`)) {
          for (const k of ["n", "min", "max", "mean", "median", "p25", "p75", "mad"])
            field(r.time, k, "number", `${rat}.time`);
          const t = r.time as Record<string, number>;
          if (!(t.min! <= t.p25! && t.p25! <= t.median! && t.median! <= t.p75! && t.p75! <= t.max!)) {
            problems.push(`${rat}.time: quantiles out of order`);
          }
        }
        if (r.cpuTime !== undefined) field(r, "cpuTime", "object", rat);
      } else if (r.time !== undefined) {
        problems.push(`${rat}.time: only correct (ok) results are timed`);
      }
    });
  });
  return problems;
}
