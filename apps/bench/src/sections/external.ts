import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { importOptional } from "../harness/optional-import.js";
import type { BenchContext, CaseSpec } from "../harness/types.js";

/**
 * Sections written by the kernel engineers live in their own files (src/float-gemm.ts,
 * src/binary-gemm.ts). They are loaded when present and adapted here:
 * - a function returning `CaseSpec[]` (or `{ cases }`) hands its cases to this harness, which checks,
 *   times and reports them like its own;
 * - anything else it returns (rows it timed itself) is kept and printed as an extra table.
 */
export interface ExternalOutcome {
  /** The section file, e.g. "binary-gemm.ts". */
  readonly source: string;
  readonly cases: CaseSpec[];
  readonly rows: Record<string, unknown>[];
  readonly notes: string[];
}

function isCaseSpec(x: unknown): x is CaseSpec {
  return typeof x === "object" && x !== null && typeof (x as CaseSpec).setup === "function";
}

/** "256×1024×1024", "M=256 K=1024 N=1024", "256x1024x1024" → "256x1024x1024" so groups line up. */
export function normalizeGemmGroup(group: string): string {
  const nums = group.match(/\d+/g);
  return nums && nums.length === 3 ? nums.join("x") : group;
}

export async function loadExternalSection(
  fileUrl: URL,
  exportName: string,
  section: string,
  ctx: BenchContext,
): Promise<ExternalOutcome | { missing: string; failed?: boolean }> {
  const sourcePath = fileURLToPath(fileUrl).replace(/\.js$/, ".ts");
  const file = path.basename(sourcePath);
  const id = file.replace(/\.ts$/, "");
  if (!existsSync(sourcePath)) return { missing: `src/${file} not available yet` };
  // Pre-timed rows cannot be filtered one by one: the file runs when the filter names its section or it.
  if (ctx.filter && !ctx.filter.test(section) && !ctx.filter.test(id)) {
    return { missing: `src/${file} not run (the filter names neither "${section}" nor "${id}")` };
  }
  if (ctx.listOnly) return { missing: `src/${file} runs its own table (not listed)` };
  const loaded = await importOptional<Record<string, unknown>>(fileUrl.href);
  if (!loaded.ok) return { missing: `src/${file} failed to load (${loaded.reason})` };
  const f = loaded.module[exportName];
  if (typeof f !== "function") return { missing: `src/${file} has no ${exportName}() export yet` };
  let out: unknown;
  try {
    out = await (f as (o: unknown) => unknown)({
      quick: ctx.quick,
      threads: ctx.threads,
      filter: ctx.filter,
    });
  } catch (e) {
    // Its own correctness checks throw: that is a wrong answer, reported rather than timed.
    return {
      missing: `src/${file}: ${exportName}() failed: ${e instanceof Error ? e.message : String(e)}`,
      failed: true,
    };
  }
  const list: unknown[] = Array.isArray(out)
    ? out
    : Array.isArray((out as { cases?: unknown })?.cases)
      ? ((out as { cases: unknown[] }).cases ?? [])
      : Array.isArray((out as { rows?: unknown })?.rows)
        ? (out as { rows: unknown[] }).rows
        : out === undefined
          ? []
          : [out];
  const cases: CaseSpec[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const item of list) {
    if (isCaseSpec(item)) cases.push({ ...item, section, group: normalizeGemmGroup(item.group) });
    else if (typeof item === "object" && item !== null) rows.push(item as Record<string, unknown>);
    else rows.push({ value: item });
  }
  return { source: file, cases, rows, notes: [] };
}
