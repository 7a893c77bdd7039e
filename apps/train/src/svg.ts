import type { EpochRecord } from "./trainer.js";

/** A line of an SVG chart: y values per epoch (non-finite or non-positive values on a log axis are skipped). */
interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly values: readonly number[];
}

interface Panel {
  readonly title: string;
  readonly yLabel: string;
  readonly log: boolean;
  readonly series: readonly Series[];
}

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Shortest decimal of a tick value (no float noise such as 0.30000000000000004). */
function tickText(v: number): string {
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

function panel(p: Panel, x0: number, y0: number, w: number, h: number, epochs: number): string {
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
  const fx = (epoch: number) => (epochs <= 1 ? x0 + w / 2 : x0 + ((epoch - 1) / (epochs - 1)) * w);
  const parts: string[] = [];
  parts.push(
    `<text x="${x0 + w / 2}" y="${y0 - 12}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`,
  );
  parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (const t of p.log ? logTicks(lo, hi) : linearTicks(lo, hi)) {
    const y = fy(t).toFixed(1);
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x0 + w}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickText(t)}</text>`,
    );
  }
  for (const e of linearTicks(1, Math.max(epochs, 1), Math.min(epochs, 10)).filter(Number.isInteger)) {
    const x = fx(e).toFixed(1);
    parts.push(`<text x="${x}" y="${y0 + h + 16}" text-anchor="middle">${e}</text>`);
  }
  parts.push(`<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle">epoch</text>`);
  parts.push(
    `<text x="${x0 - 44}" y="${y0 + h / 2}" text-anchor="middle" transform="rotate(-90 ${x0 - 44} ${y0 + h / 2})">${esc(p.yLabel)}</text>`,
  );
  p.series.forEach((s, i) => {
    const pts = s.values
      .map((v, k) => [k + 1, v] as const)
      .filter(([, v]) => usable(v))
      .map(([e, v]) => `${fx(e).toFixed(1)},${fy(v).toFixed(1)}`);
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : "";
    if (pts.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.join(" ")}"/>`,
      );
    for (const pt of pts) {
      const [cx, cy] = pt.split(",");
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
    }
    const ly = y0 + 14 + i * 16;
    parts.push(
      `<line x1="${x0 + w - 130}" y1="${ly}" x2="${x0 + w - 110}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    parts.push(`<text x="${x0 + w - 104}" y="${ly}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  return parts.join("\n");
}

/**
 * A self-contained SVG of the training curves: loss (left) and error rate in % on a log axis (right),
 * training (running, training mode) and test (evaluation mode) per epoch.
 */
export function trainingCurveSvg(
  history: readonly EpochRecord[],
  options: { title: string; subtitle?: string },
): string {
  const epochs = Math.max(history.length, 1);
  const W = 900;
  const H = 400;
  const pw = 340;
  const ph = 260;
  const pct = (a: number) => 100 * (1 - a);
  const left = panel(
    {
      title: "loss (cross-entropy)",
      yLabel: "loss",
      log: false,
      series: [
        { label: "train", color: "#1f77b4", values: history.map((h) => h.loss) },
        { label: "test", color: "#d62728", dashed: true, values: history.map((h) => h.testLoss) },
      ],
    },
    80,
    80,
    pw,
    ph,
    epochs,
  );
  const right = panel(
    {
      title: "error rate (%)",
      yLabel: "error %, log scale",
      log: true,
      series: [
        { label: "train", color: "#1f77b4", values: history.map((h) => pct(h.accuracy)) },
        { label: "test", color: "#d62728", dashed: true, values: history.map((h) => pct(h.testAccuracy)) },
      ],
    },
    520,
    80,
    pw,
    ph,
    epochs,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="title">`,
    `<title id="title">${esc(`Training curves of ${options.title}${options.subtitle ? `: ${options.subtitle}` : ""}`)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(options.title)}</text>`,
    options.subtitle
      ? `<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">${esc(options.subtitle)}</text>`
      : "",
    left,
    right,
    "</svg>",
    "",
  ]
    .filter((l) => l !== "")
    .join("\n");
}
