/**
 * A sweep as independent pieces: each run's samples cut into ranges of whole batches. A shard
 * draws all of its run's rows (cheap, no tensors) and evaluates only its range, so its losses are
 * the very bits the one-process run computes for those rows.
 */
import type { SweepRun, SweepSpec } from "./sweep-spec.js";

export interface Shard extends SweepRun {
  start: number;
  end: number;
  /** Unique within the sweep, and a safe file name: "ev.0-256", "ev_saa_3.0-256". */
  id: string;
}

export function shardsOf(spec: SweepSpec, run: SweepRun): Shard[] {
  const out: Shard[] = [];
  const stem = run.runName.slice(spec.name.length + 1);
  for (let start = 0; start < spec.samples; start += spec.shardRows) {
    const end = Math.min(start + spec.shardRows, spec.samples);
    out.push({ ...run, start, end, id: `${stem}.${start}-${end}` });
  }
  return out;
}
