/**
 * A run's results on disk: one directory per run with the per-token losses (little-endian
 * float32 [samples, T]), the row indices (int32 [samples]), the mean attention if asked
 * (float32 [heads, T, T]) and a JSON manifest; plus a `logs.csv` line, as the original code kept.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface RunManifest {
  experiment: string;
  description: string;
  seed: number;
  samples: number;
  T: number;
  /** The fixed dataset row for SAA runs (FixedSampler), else null. */
  idx: number | null;
  model: { dir: string; sha256: string; interim: boolean };
  dataset: { path: string; sha256: string; rows: number };
  backend: string;
  batch_size: number;
  timings: { scrub_s: number; total_s: number };
  created: string;
  attention: { kind: "pattern" | "scores"; heads: string[] } | null;
  /** The 9 categories, for a quick look without reloading the losses. */
  table: { label: string; mean: number; variance: number; count: number }[];
}

export interface SavedRun {
  manifest: RunManifest;
  /** [samples * T] */
  loss: Float32Array;
  /** [samples] */
  rows: Int32Array;
  /** [heads * T * T] */
  attention?: Float32Array;
}

export function saveRun(dir: string, run: SavedRun): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "loss.f32"), bytesOf(run.loss));
  writeFileSync(path.join(dir, "rows.i32"), bytesOf(run.rows));
  if (run.attention) writeFileSync(path.join(dir, "attention.f32"), bytesOf(run.attention));
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(run.manifest, null, 2) + "\n");
}

export function loadRun(dir: string): SavedRun {
  const mPath = path.join(dir, "manifest.json");
  if (!existsSync(mPath)) throw new Error(`${dir} is not a saved run (no manifest.json)`);
  const manifest = JSON.parse(readFileSync(mPath, "utf8")) as RunManifest;
  const loss = new Float32Array(arrayOf(readFileSync(path.join(dir, "loss.f32"))));
  const rows = new Int32Array(arrayOf(readFileSync(path.join(dir, "rows.i32"))));
  if (loss.length !== manifest.samples * manifest.T) {
    throw new Error(`${dir}/loss.f32 holds ${loss.length} values; the manifest says ${manifest.samples} × ${manifest.T}`);
  }
  if (rows.length !== manifest.samples) throw new Error(`${dir}/rows.i32 holds ${rows.length} rows; the manifest says ${manifest.samples}`);
  const aPath = path.join(dir, "attention.f32");
  const attention = existsSync(aPath) ? new Float32Array(arrayOf(readFileSync(aPath))) : undefined;
  return { manifest, loss, rows, attention };
}

export function appendLogsCsv(file: string, line: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, line + "\r\n");
}

function bytesOf(a: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A copy aligned for typed-array views (Buffers from readFileSync may share an unaligned pool). */
function arrayOf(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
