/**
 * The run's JSONL log, `<run>/log.jsonl`: one JSON object per line with a `type` ("train", "eval", "eval_ema",
 * "start", "resume", "stop"). On resume, records from steps after the checkpoint are dropped first:
 * those steps are about to be run again, and the log should read as one uninterrupted run.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export class RunLog {
  readonly file: string;

  constructor(runDir: string) {
    this.file = path.join(runDir, "log.jsonl");
  }

  write(record: Record<string, unknown>): void {
    appendFileSync(this.file, JSON.stringify(record) + "\n");
  }

  /** Whether the log already has an eval record for this step. */
  hasEvalAt(step: number): boolean {
    if (!existsSync(this.file)) return false;
    return readFileSync(this.file, "utf8")
      .split("\n")
      .some((l) => l.includes('"type":"eval"') && l.includes(`"step":${step},`));
  }

  /** Keeps records with step <= `step` (and unparsable tails out); rewrites the file atomically. */
  truncateAfter(step: number): number {
    if (!existsSync(this.file)) return 0;
    const lines = readFileSync(this.file, "utf8").split("\n");
    const kept: string[] = [];
    let dropped = 0;
    for (const line of lines) {
      if (line.trim() === "") continue;
      let rec: { step?: unknown };
      try {
        rec = JSON.parse(line) as { step?: unknown };
      } catch {
        dropped++; // a line cut short by a kill
        continue;
      }
      if (typeof rec.step === "number" && rec.step > step) dropped++;
      else kept.push(line);
    }
    if (dropped > 0) {
      writeFileSync(this.file + ".tmp", kept.map((l) => l + "\n").join(""));
      renameSync(this.file + ".tmp", this.file);
    }
    return dropped;
  }
}
