/** A one-line progress bar on stderr; on a non-terminal it prints a line at each quarter instead. */
export class ProgressBar {
  private readonly start = performance.now();
  private lastQuarter = -1;
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit = "rows",
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number): void {
    const now = performance.now();
    const secs = (now - this.start) / 1000;
    const rate = done / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    const text = `${this.label} ${done}/${this.total} ${this.unit} · ${rate.toFixed(rate < 10 ? 1 : 0)} ${this.unit}/s · ${fmtTime(secs)} elapsed · ETA ${fmtTime(eta)}`;
    if (this.stream.isTTY) {
      if (done < this.total && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((done / this.total) * width);
      this.stream.write(`\r\x1b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}`);
      if (done >= this.total) this.stream.write("\n");
    } else {
      const q = Math.floor((4 * done) / this.total);
      if (q > this.lastQuarter) {
        this.lastQuarter = q;
        this.stream.write(`${text}\n`);
      }
    }
  }
}

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
