/**
 * The project's one SVG chart writer (hand-written SVG, no dependencies, all text escaped): the
 * document frame, tick placement and a line-chart panel. bench's speedup chart (./svg.ts) and
 * apps/train's training curves (imported as `@onebit/bench/svg-chart`) are drawn with it.
 */

export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );
}

/** Shortest decimal of a tick value (no float noise such as 0.30000000000000004). */
export function tickText(v: number): string {
  if (v === 0) return "0";
  const s = Number(v.toPrecision(3)).toString();
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(0) : s;
}

/** About `count` round ticks (1, 2, 5 × 10ⁿ steps) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** Ticks at 1, 2, 5 × 10ⁿ inside [lo, hi] (lo > 0). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  return out;
}

export interface SvgDocumentOptions {
  readonly width: number;
  readonly height: number;
  /** The accessible `<title>` (tooltips, screen readers). */
  readonly title: string;
  /** Drawn at the top: a bold heading and an optional grey line below it. */
  readonly heading?: string;
  readonly subtitle?: string;
  /** "middle" centres heading and subtitle; "start" puts them at the left margin. Default "middle". */
  readonly align?: "start" | "middle";
}

/** A self-contained SVG document: white background, title, heading and the given elements. */
export function svgDocument(o: SvgDocumentOptions, body: readonly string[]): string {
  const x = o.align === "start" ? 16 : o.width / 2;
  const anchor = o.align === "start" ? "start" : "middle";
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-labelledby="title">`,
    `<title id="title">${escapeXml(o.title)}</title>`,
    `<rect width="${o.width}" height="${o.height}" fill="#ffffff"/>`,
  ];
  if (o.heading)
    lines.push(
      `<text x="${x}" y="24" text-anchor="${anchor}" font-size="16" font-weight="bold">${escapeXml(o.heading)}</text>`,
    );
  if (o.subtitle)
    lines.push(`<text x="${x}" y="44" text-anchor="${anchor}" fill="#555">${escapeXml(o.subtitle)}</text>`);
  return `${[...lines, ...body, "</svg>"].join("\n")}\n`;
}

/** A line of a chart: y values at x = 1, 2, … (non-finite, or non-positive on a log axis, skipped). */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly values: readonly number[];
}

export interface LinePanel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly log: boolean;
  readonly series: readonly Series[];
}

/** A line-chart panel in the box (x0, y0, w, h) over x = 1 … `points`, with axes, ticks and a legend. */
export function linePanel(
  p: LinePanel,
  x0: number,
  y0: number,
  w: number,
  h: number,
  points: number,
): string {
  const usable = (v: number) => Number.isFinite(v) && (!p.log || v > 0);
  const all = p.series.flatMap((s) => s.values.filter(usable));
  let lo = all.length ? Math.min(...all) : p.log ? 0.1 : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (p.log) {
    // Half-decade bounds around the data.
    lo = 10 ** (Math.floor(Math.log10(lo) * 2) / 2);
    hi = 10 ** (Math.ceil(Math.log10(hi) * 2) / 2);
    if (hi <= lo) hi = lo * 10;
  } else {
    const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
    lo = Math.max(0, lo - pad);
    hi += pad;
  }
  const fy = (v: number) =>
    p.log
      ? y0 + h - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * h
      : y0 + h - ((v - lo) / (hi - lo)) * h;
  const fx = (i: number) => (points <= 1 ? x0 + w / 2 : x0 + ((i - 1) / (points - 1)) * w);
  const parts: string[] = [
    `<text x="${x0 + w / 2}" y="${y0 - 12}" text-anchor="middle" font-weight="bold">${escapeXml(p.title)}</text>`,
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  for (const t of p.log ? logTicks(lo, hi) : linearTicks(lo, hi)) {
    const y = fy(t).toFixed(1);
    parts.push(
      `<line x1="${x0}" y1="${y}" x2="${x0 + w}" y2="${y}" stroke="#eee"/>`,
      `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickText(t)}</text>`,
    );
  }
  for (const e of linearTicks(1, Math.max(points, 1), Math.min(points, 10)).filter(Number.isInteger)) {
    parts.push(`<text x="${fx(e).toFixed(1)}" y="${y0 + h + 16}" text-anchor="middle">${e}</text>`);
  }
  parts.push(
    `<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle">${escapeXml(p.xLabel)}</text>`,
    `<text x="${x0 - 44}" y="${y0 + h / 2}" text-anchor="middle" transform="rotate(-90 ${x0 - 44} ${y0 + h / 2})">${escapeXml(p.yLabel)}</text>`,
  );
  p.series.forEach((s, i) => {
    const pts = s.values
      .map((v, k) => [k + 1, v] as const)
      .filter(([, v]) => usable(v))
      .map(([e, v]) => [fx(e).toFixed(1), fy(v).toFixed(1)] as const);
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : "";
    if (pts.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map((q) => q.join(",")).join(" ")}"/>`,
      );
    for (const [cx, cy] of pts) parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
    const ly = y0 + 14 + i * 16;
    parts.push(
      `<line x1="${x0 + w - 130}" y1="${ly}" x2="${x0 + w - 110}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${x0 + w - 104}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`,
    );
  });
  return parts.join("\n");
}
