/** Where progress lines go: a TTY-like stream (Node's process.stderr fits). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

/** The default stream: process.stderr when it exists (Node.js), nothing in browsers. */
export function defaultProgressStream(): ProgressStream | undefined {
  const proc = (globalThis as { process?: { stderr?: ProgressStream } }).process;
  return proc?.stderr;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, "0")}s`;
}

/**
 * A one-line progress renderer: redraws one line with `\r` (throttled), ends it with a newline per
 * epoch. Silent unless the stream is a TTY, so logs and CI output stay clean.
 */
export class ProgressLine {
  private lastDraw = 0;
  private width = 0;
  constructor(
    private readonly stream: ProgressStream | undefined,
    private readonly intervalMs = 100,
  ) {}

  get active(): boolean {
    return this.stream?.isTTY === true;
  }

  /** Redraws the line for batch `done` of `total` (skipped if drawn < intervalMs ago, except at the end). */
  update(prefix: string, done: number, total: number, elapsedS: number, extra: string): void {
    if (!this.active) return;
    const now = Date.now();
    if (done < total && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    const barWidth = 20;
    const filled = Math.round((barWidth * done) / Math.max(total, 1));
    const bar = `${"=".repeat(Math.max(filled - 1, 0))}${filled > 0 && done < total ? ">" : filled > 0 ? "=" : ""}${" ".repeat(barWidth - filled)}`;
    const eta = done > 0 ? (elapsedS * (total - done)) / done : Number.NaN;
    let line = `${prefix} [${bar}] ${done}/${total} ${extra} ETA ${formatSeconds(eta)}`;
    const cols = this.stream?.columns ?? 120;
    if (line.length > cols - 1) line = line.slice(0, cols - 1);
    this.draw(line);
  }

  /** Replaces the progress line with a final line and a newline. */
  finish(line: string): void {
    if (!this.active) return;
    this.draw(line);
    this.stream!.write("\n");
    this.width = 0;
  }

  private draw(line: string): void {
    const pad = this.width > line.length ? " ".repeat(this.width - line.length) : "";
    this.stream!.write(`\r${line}${pad}`);
    this.width = line.length;
  }
}
