/** A one-line progress indicator on stderr, shown only on a terminal (never in pipes, CI logs or --json). */
export class Progress {
  private done = 0;
  private readonly enabled: boolean;

  constructor(
    private total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = out.isTTY === true;
  }

  addTotal(n: number): void {
    this.total += n;
  }

  /** Announces the case about to run. */
  start(label: string): void {
    if (!this.enabled) return;
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    const line = `[${this.done + 1}/${Math.max(this.total, this.done + 1)}] ${label}`;
    this.out.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }

  finish(): void {
    this.done++;
  }

  /** Clears the line before ordinary output. */
  clear(): void {
    if (this.enabled) this.out.write("\r\x1b[2K");
  }
}
