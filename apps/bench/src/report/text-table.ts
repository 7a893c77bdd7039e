/** Column alignment: numbers read best right-aligned. */
export type Align = "left" | "right";

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

/** Display width of a cell: code points, since the tables use ×, µ, – (single-width) but no wide glyphs. */
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, w - width(s)));
  return align === "right" ? fill + s : s + fill;
}

/** A plain-text table with a rule under the header; `null` rows become blank separator lines. */
export function textTable(columns: readonly Column[], rows: readonly (readonly string[] | null)[]): string {
  const widths = columns.map((c, i) =>
    Math.max(width(c.header), ...rows.map((r) => (r ? width(r[i] ?? "") : 0))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i]!, columns[i]!.align ?? "left"))
      .join("  ")
      .trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => "─".repeat(w)).join("  ")];
  for (const r of rows) out.push(r ? line(r) : "");
  return out.join("\n");
}

function escapeMarkdownCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A GitHub-flavoured Markdown table (separator rows are dropped). */
export function markdownTable(
  columns: readonly Column[],
  rows: readonly (readonly string[] | null)[],
): string {
  const head = `| ${columns.map((c) => escapeMarkdownCell(c.header)).join(" | ")} |`;
  const rule = `|${columns.map((c) => (c.align === "right" ? "---:" : "---")).join("|")}|`;
  const body = rows
    .filter((r): r is readonly string[] => r !== null)
    .map((r) => `| ${columns.map((_, i) => escapeMarkdownCell(r[i] ?? "")).join(" | ")} |`);
  return [head, rule, ...body].join("\n");
}
