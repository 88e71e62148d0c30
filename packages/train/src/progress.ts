/**
 * Progress on stderr: a one-line bar (step/total, loss EMA, tok/s, ETA) redrawn in place on a
 * terminal; when stderr is a file (nohup), one plain line every `every` steps instead of a
 * megabyte of carriage returns.
 */
export class Progress {
  private lastLine = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly total: number,
    private readonly tokensPerStep: number,
    private readonly every = 10,
  ) {}

  update(step: number, lossEma: number | null, tokPerSec: number, lr: number, force = false): void {
    if (!this.tty && !force && step % this.every !== 0 && step !== this.total) return;
    const now = Date.now();
    if (this.tty && !force && now - this.lastLine < 200 && step !== this.total) return;
    this.lastLine = now;
    const frac = Math.min(1, step / this.total);
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const eta = tokPerSec > 0 ? formatSeconds(((this.total - step) * this.tokensPerStep) / tokPerSec) : "?";
    const line =
      `[${bar}] ${step}/${this.total} loss ${lossEma === null ? "-" : lossEma.toFixed(3)} ` +
      `lr ${lr.toExponential(2)} ${tokPerSec.toFixed(0)} tok/s ETA ${eta}`;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${new Date().toISOString()} ${line}\n`);
  }

  /** A message on its own line, not overwritten by the bar. */
  say(msg: string): void {
    process.stderr.write(this.tty ? `\r\x1b[K${msg}\n` : `${new Date().toISOString()} ${msg}\n`);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
}
