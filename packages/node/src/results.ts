/**
 * A run's results on disk: one directory per run with the per-token losses (little-endian
 * float32 [samples, T]), the row indices (int32 [samples]), the mean attention if asked
 * (float32 [heads, T, T]) and a JSON manifest; plus a `logs.csv` line, as the original code kept.
 * Nothing is overwritten unless asked, and nothing is half-written: a run is written into a
 * temporary folder beside its target and renamed into place, and logs.csv is replaced whole.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FormatError, ResourceError, UsageError } from "@isc/core";
import type { StatsRow } from "@isc/scrubbing";

/** A saved run's loss-table row: the fields every output format writes. */
export type TableRow = StatsRow;

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
  /** The 9 categories: what `scrub show` prints, without the bundle. `se`: the mean's standard error with rows as units. */
  table: TableRow[];
  /** The hypothesis: each interpretation node (parents first) with its samplers and the paths it claims. */
  hypothesis: { node: string; parent: string | null; sampler: string; other_inputs_sampler: string; paths: string }[];
  modification: string | null;
  /** A subspace split's --basis file; null for the model's own bases (proj/ beside it). Older runs lack it. */
  basis?: string | null;
  /** Each source's name, in the order of sources.i32's rows; source 0 gives the labels. */
  sources: string[];
  /** Every path of the treeified model ("1.5.v/0.3.q"; "" is the direct embedding) and the source it reads. */
  paths: { path: string; source: number }[];
  versions: { toolkit: string; node: string; tfjs: string };
}

export interface SavedRun {
  manifest: RunManifest;
  /** [samples * T] */
  loss: Float32Array;
  /** [samples] the reference rows (source 0's). */
  rows: Int32Array;
  /** [sources, samples]: every source's rows, the reference first and then each child's. */
  sources: Int32Array;
  /** [heads * T * T] */
  attention?: Float32Array;
}

/** Where a run called `name` goes in `resultsDir`, checked before any work: a plain name, a writable folder, no run there unless `force`. */
export function saveTarget(resultsDir: string, name: string, options: { force?: boolean } = {}): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name)) {
    throw new UsageError(`--save "${name}" is not a plain name (letters, digits and . _ + -, starting with a letter or digit): runs live inside the results folder`);
  }
  if (name === LOGS_CSV) throw new UsageError(`--save ${name}: that is the results folder's log of runs; choose another name`);
  try {
    mkdirSync(resultsDir, { recursive: true });
    accessSync(resultsDir, constants.W_OK);
  } catch (e) {
    throw new ResourceError(`cannot write to the results folder ${resultsDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const dir = path.join(resultsDir, name);
  if (existsSync(dir) && !options.force) throw new UsageError(`${dir} already holds a run; choose another --save name or add --force to replace it`);
  return dir;
}

/** Writes the run into a temporary folder beside `dir`, then renames it into place (replacing an older run only then). */
export function saveRun(dir: string, run: SavedRun): void {
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(path.join(tmp, "loss.f32"), bytesOf(run.loss));
  writeFileSync(path.join(tmp, "rows.i32"), bytesOf(run.rows));
  writeFileSync(path.join(tmp, "sources.i32"), bytesOf(run.sources));
  if (run.attention) writeFileSync(path.join(tmp, "attention.f32"), bytesOf(run.attention));
  writeFileSync(path.join(tmp, "manifest.json"), JSON.stringify(run.manifest, null, 2) + "\n");
  const old = `${dir}.replaced-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

export function loadRun(dir: string): SavedRun {
  const mPath = path.join(dir, "manifest.json");
  if (!existsSync(mPath)) throw new UsageError(`${dir} is not a saved run (no manifest.json)`);
  const manifest = readManifest(mPath);
  // JSON has no NaN: an empty category's mean and variance were written as null.
  manifest.table = manifest.table.map((r) => ({ ...r, mean: r.mean ?? NaN, se: r.se ?? NaN, variance: r.variance ?? NaN }));
  const loss = new Float32Array(words(path.join(dir, "loss.f32")));
  const rows = new Int32Array(words(path.join(dir, "rows.i32")));
  if (loss.length !== manifest.samples * manifest.T) {
    throw new FormatError(`${dir}/loss.f32 holds ${loss.length} values; the manifest says ${manifest.samples} × ${manifest.T}`);
  }
  if (rows.length !== manifest.samples) throw new FormatError(`${dir}/rows.i32 holds ${rows.length} rows; the manifest says ${manifest.samples}`);
  const sPath = path.join(dir, "sources.i32");
  // Runs saved before sources.i32 existed hold the reference rows only.
  const sources = existsSync(sPath) ? new Int32Array(words(sPath)) : rows;
  const aPath = path.join(dir, "attention.f32");
  const attention = existsSync(aPath) ? new Float32Array(words(aPath)) : undefined;
  return { manifest, loss, rows, sources, attention };
}

function readManifest(file: string): RunManifest {
  try {
    const m = JSON.parse(readFileSync(file, "utf8")) as RunManifest;
    if (typeof m.experiment !== "string" || !Array.isArray(m.table)) throw new Error("no experiment name or table");
    return m;
  } catch (e) {
    throw new FormatError(`${file} is not a run's manifest: ${(e as Error).message}`);
  }
}

/** A file of 4-byte little-endian values (float32 or int32). */
function words(file: string): ArrayBuffer {
  if (!existsSync(file)) throw new FormatError(`${file} is missing: the run is incomplete`);
  const b = readFileSync(file);
  if (b.byteLength % 4 !== 0) throw new FormatError(`${file} holds ${b.byteLength} bytes, not a whole number of 4-byte values: the file is damaged`);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** The saved runs in a results folder, oldest first; a run whose manifest cannot be read is listed last, with the reason. */
export function listRuns(resultsDir: string): { name: string; manifest?: RunManifest; error?: string }[] {
  if (!existsSync(resultsDir)) return [];
  const runs = readdirSync(resultsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(resultsDir, e.name, "manifest.json")))
    .map((e) => {
      try {
        return { name: e.name, manifest: readManifest(path.join(resultsDir, e.name, "manifest.json")) };
      } catch (err) {
        return { name: e.name, error: (err as Error).message };
      }
    });
  const created = (r: { manifest?: RunManifest }) => r.manifest?.created ?? "\uffff";
  return runs.sort((a, b) => created(a).localeCompare(created(b)));
}

/** The log of runs in a results folder, one line per saved run, as the original code kept it. */
export const LOGS_CSV = "logs.csv";

/**
 * Adds a line to logs.csv by writing the whole file anew and renaming it into place, so a crash
 * leaves the old log or the new one. A new log starts with `header`; an existing one is kept as it is.
 */
export function appendLogsCsv(file: string, line: string, header: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const before = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  const start = before.length === 0 ? header + "\r\n" : "";
  writeAtomic(file, Buffer.concat([before, Buffer.from(start + line + "\r\n")]));
}

/** The file of a comparison saved as `name` (`recovered`/`preliminary --save`): `name.recovered.json` beside its runs. */
export function comparisonTarget(resultsDir: string, name: string, options: { force?: boolean } = {}): string {
  saveTarget(resultsDir, name, options); // the same rules for the name and the folder
  const file = path.join(resultsDir, `${name}${COMPARISON_SUFFIX}`);
  if (existsSync(file) && !options.force) throw new UsageError(`${file} already holds a comparison; choose another --save name or add --force to replace it`);
  return file;
}

export const COMPARISON_SUFFIX = ".recovered.json";

/** Writes `data` beside `file` and renames it into place, so a crash leaves the old file or the new one. */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function bytesOf(a: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A copy aligned for typed-array views (Buffers from readFileSync may share an unaligned pool). */
