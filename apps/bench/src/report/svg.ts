import { formatRatio } from "../harness/format.js";
import type { CaseResult } from "../harness/types.js";
import type { BenchReport } from "./report.js";
import { escapeXml, svgDocument } from "./svg-chart.js";

/**
 * speedup.svg: for every workload (GEMM shape, conv layer, model and batch), one bar per implementation
 * showing its speedup over the group's float32 baseline on a log scale, growing right of 1× when faster
 * and left when slower. Drawn with the shared chart writer (./svg-chart.ts).
 */

const WIDTH = 960;
const LABEL_X = 16;
const PLOT_LEFT = 420;
const PLOT_RIGHT = 900;
const ROW = 18;
const COLORS = { binary: "#1b9e77", float32: "#7570b3" } as const;

interface Line {
  readonly kind: "section" | "group" | "bar";
  readonly text: string;
  readonly result?: CaseResult;
}

function layout(r: BenchReport): Line[] {
  const lines: Line[] = [];
  for (const s of r.sections) {
    if (s.results.length === 0) continue;
    lines.push({ kind: "section", text: s.title });
    let group: string | undefined;
    for (const res of s.results) {
      if (res.group !== group) {
        group = res.group;
        lines.push({ kind: "group", text: res.group });
      }
      lines.push({ kind: "bar", text: res.label, result: res });
    }
  }
  return lines;
}

function decadeRange(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.floor(Math.log10(Math.min(1, ...finite)));
  const hi = Math.ceil(Math.log10(Math.max(1, ...finite)));
  return [lo, hi > lo ? hi : lo + 1];
}

export function renderSvg(r: BenchReport): string {
  const lines = layout(r);
  const speedups = lines.flatMap((l) => (l.result?.speedup !== undefined ? [l.result.speedup] : []));
  const [lo, hi] = decadeRange(speedups);
  const x = (v: number) => PLOT_LEFT + ((Math.log10(v) - lo) / (hi - lo)) * (PLOT_RIGHT - PLOT_LEFT);
  const top = 64;
  const height = top + lines.length * ROW + 40;
  const out: string[] = [
    `<rect x="${PLOT_LEFT}" y="48" width="10" height="10" fill="${COLORS.binary}"/><text x="${PLOT_LEFT + 14}" y="57">binary</text>`,
    `<rect x="${PLOT_LEFT + 70}" y="48" width="10" height="10" fill="${COLORS.float32}"/><text x="${PLOT_LEFT + 84}" y="57">float32</text>`,
  ];
  for (let d = lo; d <= hi; d++) {
    const gx = x(10 ** d).toFixed(1);
    out.push(
      `<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${height - 30}" stroke="${d === 0 ? "#333" : "#ddd"}" stroke-width="${d === 0 ? 1.5 : 1}"/>`,
      `<text x="${gx}" y="${height - 14}" text-anchor="middle" fill="#555">${escapeXml(formatRatio(10 ** d))}</text>`,
    );
  }
  lines.forEach((l, i) => {
    const y = top + i * ROW;
    if (l.kind === "section") {
      out.push(
        `<text x="${LABEL_X}" y="${y + 13}" font-weight="bold" font-size="13">${escapeXml(l.text)}</text>`,
      );
      return;
    }
    if (l.kind === "group") {
      out.push(
        `<text x="${LABEL_X + 8}" y="${y + 13}" font-weight="bold" fill="#333">${escapeXml(l.text)}</text>`,
      );
      return;
    }
    const res = l.result!;
    out.push(`<text x="${LABEL_X + 20}" y="${y + 13}" fill="#333">${escapeXml(truncate(l.text, 58))}</text>`);
    if (res.status !== "ok") {
      out.push(
        `<text x="${PLOT_LEFT + 4}" y="${y + 13}" fill="${res.status === "skipped" ? "#888" : "#c0392b"}" font-weight="bold">${escapeXml(res.status.toUpperCase())}</text>`,
      );
      return;
    }
    if (res.speedup === undefined) return;
    const x1 = x(1);
    const xv = x(res.speedup);
    const left = Math.min(x1, xv);
    const w = Math.max(1, Math.abs(xv - x1));
    out.push(
      `<rect x="${left.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${COLORS[res.precision]}"${res.baseline ? ' stroke="#000" stroke-width="1"' : ""}/>`,
      `<text x="${(Math.max(x1, xv) + 4).toFixed(1)}" y="${y + 13}" fill="#000">${escapeXml(formatRatio(res.speedup) + (res.baseline ? " (baseline)" : ""))}</text>`,
    );
  });
  return svgDocument(
    {
      width: WIDTH,
      height,
      title: `onebit bench: speedup over the float32 baseline (${r.options.mode})`,
      heading: "Speedup over the float32 baseline of each workload (log scale)",
      subtitle: `${r.machine.cpuModel}, ${r.machine.logicalCores} cores, Node.js ${r.machine.node}; baseline = onnxruntime-node float32, 1 thread`,
      align: "start",
    },
    out,
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
