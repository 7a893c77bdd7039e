import type { CaseResult, WorkUnit } from "./types.js";

/** Seconds as a short human figure: 812 ns, 43.1 µs, 2.35 ms, 1.20 s (never "1000 µs"). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "–";
  const units: [number, string][] = [
    [1e9, "ns"],
    [1e6, "µs"],
    [1e3, "ms"],
  ];
  for (const [scale, unit] of units) {
    const text = unit === "ns" ? (s * scale).toFixed(0) : three(s * scale);
    if (Math.abs(Number(text)) < 1000) return `${text} ${unit}`;
  }
  return `${three(s)} s`;
}

/** Three significant digits without exponent notation. */
export function three(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${three(bytes / 1024)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${three(bytes / 1024 / 1024)} MiB`;
  return `${three(bytes / 1024 / 1024 / 1024)} GiB`;
}

const RATE_UNITS: Record<WorkUnit, string> = { FLOP: "GFLOP/s", bMAC: "G bMAC/s", sample: "samples/s" };

/** work per second in the unit's usual scale: GFLOP/s, G binary-MAC/s, samples/s. */
export function formatRate(rate: number, unit: WorkUnit): string {
  if (!Number.isFinite(rate)) return "–";
  if (unit === "sample") return `${three(rate)} ${RATE_UNITS[unit]}`;
  return `${three(rate / 1e9)} ${RATE_UNITS[unit]}`;
}

export function formatRatio(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? "" : `${three(r)}×`;
}

/** The spread shown next to a median: interquartile range p25–p75. */
export function formatSpread(r: CaseResult): string {
  if (!r.time) return "";
  return `${formatSeconds(r.time.p25)}–${formatSeconds(r.time.p75)}`;
}

/** The time/status cell: the median, or what happened instead of timing. */
export function formatOutcome(r: CaseResult): string {
  switch (r.status) {
    case "ok":
      return formatSeconds(r.time!.median);
    case "wrong":
      return "WRONG";
    case "error":
      return "ERROR";
    case "skipped":
      return "skipped";
  }
}
