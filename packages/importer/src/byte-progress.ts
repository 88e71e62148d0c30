/**
 * A download progress bar on stderr: redrawn in place on a terminal (at most 5 times a second); when
 * stderr is a file or pipe, one plain line per 10 % so logs stay short. Silent when `quiet`.
 */
export class ByteProgress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly quiet = false,
  ) {}

  /** `done` bytes of `total` (null when the server did not say); `from` = bytes already on disk at the start. */
  update(done: number, total: number | null, from = 0, force = false): void {
    if (this.quiet) return;
    const now = Date.now();
    const frac = total ? Math.min(1, done / total) : null;
    if (this.tty) {
      if (!force && now - this.lastDraw < 200) return;
    } else {
      const decile = frac === null ? Math.floor(done / (10 << 20)) : Math.floor(frac * 10);
      if (!force && decile === this.lastDecile) return;
      this.lastDecile = decile;
    }
    this.lastDraw = now;
    const secs = Math.max(1e-3, (now - this.started) / 1000);
    const rate = (done - from) / secs;
    const width = 24;
    const bar = frac === null ? "?".repeat(width) : "#".repeat(Math.round(frac * width)).padEnd(width, "-");
    const eta = frac !== null && rate > 0 ? ` ETA ${Math.ceil((total! - done) / rate)}s` : "";
    const line = `${this.label} [${bar}] ${mib(done)}${total ? `/${mib(total)}` : ""} MiB ${mib(rate)} MiB/s${eta}`;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  /** A message on its own line (not overwritten by the bar). */
  say(msg: string): void {
    if (this.quiet) return;
    process.stderr.write(this.tty ? `\r\x1b[K${msg}\n` : `${msg}\n`);
  }

  finish(): void {
    if (!this.quiet && this.tty) process.stderr.write("\n");
  }
}

function mib(n: number): string {
  return (n / (1 << 20)).toFixed(1);
}
