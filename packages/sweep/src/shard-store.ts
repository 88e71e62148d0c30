/**
 * Finished shards on disk, beside the sweep's runs: results/NAME.shards/<shard id>.f32 (per-token
 * losses, float32 [rows, T]) and the sweep's spec in results/NAME.sweep.json. A shard file appears
 * whole or not at all (written aside, then renamed), so an interrupted sweep loses at most the
 * shards in flight, and a shard stored twice (a retried job) is the same bytes in the same place.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { FormatError, UsageError } from "@isc/core";
import { writeAtomic } from "@isc/node";
import { type SweepSpec, specMismatch } from "./sweep-spec.js";

export class ShardStore {
  readonly dir: string;
  private readonly specFile: string;

  constructor(resultsDir: string, name: string) {
    this.dir = path.join(resultsDir, `${name}.shards`);
    this.specFile = path.join(resultsDir, `${name}.sweep.json`);
  }

  /** Refuses a different sweep of the same name (unless `force`): its shards would not merge with these. */
  check(spec: SweepSpec, options: { force?: boolean } = {}): void {
    if (!existsSync(this.specFile) || options.force) return;
    const why = specMismatch(JSON.parse(readFileSync(this.specFile, "utf8")) as SweepSpec, spec);
    if (why) throw new UsageError(`${this.specFile} is a different sweep (${why}); choose another --save name or add --force to start it again`);
  }

  /** Starts the sweep, or resumes it; `force` starts a different sweep of the same name afresh. */
  open(spec: SweepSpec, options: { force?: boolean } = {}): void {
    this.check(spec, options);
    if (!this.resumable(spec)) rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    writeAtomic(this.specFile, JSON.stringify(spec, null, 2) + "\n");
  }

  /** Whether an earlier start of this very sweep left its spec here. */
  resumable(spec: SweepSpec): boolean {
    return existsSync(this.specFile) && specMismatch(JSON.parse(readFileSync(this.specFile, "utf8")) as SweepSpec, spec) === null;
  }

  has(id: string): boolean {
    return existsSync(this.file(id));
  }

  put(id: string, loss: Float32Array, seconds: number): void {
    writeAtomic(path.join(this.dir, `${id}.json`), JSON.stringify({ seconds }) + "\n");
    writeAtomic(this.file(id), new Uint8Array(loss.buffer, loss.byteOffset, loss.byteLength));
  }

  get(id: string, values: number): { loss: Float32Array; seconds: number } {
    const b = readFileSync(this.file(id));
    if (b.byteLength !== 4 * values) throw new FormatError(`${this.file(id)} holds ${b.byteLength} bytes, not ${values} float32 losses: delete it to compute the shard again`);
    const loss = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    const meta = path.join(this.dir, `${id}.json`);
    const seconds = existsSync(meta) ? (JSON.parse(readFileSync(meta, "utf8")) as { seconds: number }).seconds : 0;
    return { loss, seconds };
  }

  /** A merged run's shards are no longer needed. */
  drop(ids: readonly string[]): void {
    for (const id of ids) for (const f of [this.file(id), path.join(this.dir, `${id}.json`)]) rmSync(f, { force: true });
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.f32`);
  }
}
