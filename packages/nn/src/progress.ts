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

export interface ProgressLineOptions {
  /** Least time between two redraws on a terminal. Default 100 ms. */
  intervalMs?: number;
  /**
   * On a stream that is not a terminal, write a plain line every tenth of the work and each
   * `finish` line (for logs). Default false: silent there.
   */
  log?: boolean;
}

/**
 * The one progress display of the project (training in nn and apps/train, bench cases): on a
 * terminal it redraws one line with `\r` (throttled) and ends it with a newline; elsewhere it is
 * silent, or writes plain lines with `log`, so logs and CI output stay clean.
 */
export class ProgressLine {
  private lastDraw = 0;
  private width = 0;
  private readonly intervalMs: number;
  private readonly log: boolean;
  constructor(
    private readonly stream: ProgressStream | undefined,
    options: ProgressLineOptions | number = {},
  ) {
    const o = typeof options === "number" ? { intervalMs: options } : options;
    this.intervalMs = o.intervalMs ?? 100;
    this.log = o.log === true;
  }

  /** True when the line is redrawn in place (the stream is a terminal). */
  get active(): boolean {
    return this.stream?.isTTY === true;
  }

  private get logging(): boolean {
    return this.log && this.stream !== undefined && !this.active;
  }

  /** Redraws the line for step `done` of `total` (skipped if drawn < intervalMs ago, except at the end). */
  update(prefix: string, done: number, total: number, elapsedS: number, extra: string): void {
    const eta = done > 0 ? (elapsedS * (total - done)) / done : Number.NaN;
    if (this.logging) {
      const every = Math.max(1, Math.floor(total / 10));
      if (done % every === 0 && done < total) {
        this.stream!.write(`  ${prefix} step ${done}/${total} ${extra}, ETA ${formatSeconds(eta)}\n`);
      }
      return;
    }
    if (!this.active) return;
    const now = Date.now();
    if (done < total && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    const barWidth = 20;
    const filled = Math.round((barWidth * done) / Math.max(total, 1));
    const bar = `${"=".repeat(Math.max(filled - 1, 0))}${filled > 0 && done < total ? ">" : filled > 0 ? "=" : ""}${" ".repeat(barWidth - filled)}`;
    this.draw(`${prefix} [${bar}] ${done}/${total} ${extra} ETA ${formatSeconds(eta)}`);
  }

  /** Shows a free-form status (e.g. the bench case that is running) on a terminal; nothing elsewhere. */
  status(text: string): void {
    if (this.active) this.draw(text);
  }

  /** Replaces the progress line with a final line and a newline (also written when logging). */
  finish(line: string): void {
    if (this.logging) this.stream!.write(`${line}\n`);
    if (!this.active) return;
    this.draw(line);
    this.stream!.write("\n");
    this.width = 0;
  }

  /** Blanks the line before ordinary output. */
  clear(): void {
    if (!this.active || this.width === 0) return;
    this.stream!.write(`\r${" ".repeat(this.width)}\r`);
    this.width = 0;
  }

  private draw(text: string): void {
    const cols = this.stream?.columns ?? 120;
    const line = text.length > cols - 1 ? `${text.slice(0, cols - 2)}…` : text;
    const pad = this.width > line.length ? " ".repeat(this.width - line.length) : "";
    this.stream!.write(`\r${line}${pad}`);
    this.width = line.length;
  }
}
