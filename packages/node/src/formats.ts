/**
 * A loss table for people or for programs. `seed` is byte-identical to the seed notebook's print;
 * `table` has column headers and each mean's standard error; `json` and `csv` hold every field
 * (NaN, for an empty category, is null in JSON and empty in CSV). Comparisons (`recovered`,
 * `preliminary`) add each experiment's % loss recovered and its 95 % interval.
 */
import { formatLossTable, formatPyFixed, type RecoveredInterval } from "@isc/scrubbing";
import type { RunManifest, TableRow } from "./results.js";

export const OUTPUT_FORMATS = ["seed", "table", "json", "csv"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What a printed table says about its run. */
export type TableContext = Pick<RunManifest, "experiment" | "samples" | "seed" | "T">;

export function formatTableAs(format: OutputFormat, run: TableContext, rows: readonly TableRow[]): string {
  switch (format) {
    case "seed":
      return formatLossTable(rows);
    case "table":
      return headedTable(run, rows);
    case "json":
      return JSON.stringify({ experiment: run.experiment, samples: run.samples, seed: run.seed, T: run.T, categories: rows.map(categoryJson) }, null, 2) + "\n";
    case "csv":
      return csvLines([STATS_COLUMNS], rows.map((r) => statsFields(run.experiment, r)));
  }
}

const STATS_COLUMNS = "experiment,category,mean,se,variance,count";

function categoryJson(r: TableRow) {
  return { category: r.label, mean: r.mean, se: r.se, variance: r.variance, count: r.count };
}

function statsFields(experiment: string, r: TableRow): (string | number)[] {
  return [experiment, r.label, r.mean, r.se, r.variance, r.count];
}

/** The header, then one line per row of fields. */
function csvLines(header: readonly string[], rows: readonly (string | number)[][]): string {
  return header.join(",") + "\n" + rows.map((r) => r.map(csvValue).join(",") + "\n").join("");
}

function csvValue(v: string | number): string {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function headedTable(run: TableContext, rows: readonly TableRow[]): string {
  const w = Math.max(...rows.map((r) => r.label.length), "category".length);
  const num = (x: number) => formatPyFixed(x, 3).padStart(9);
  const head = `${"category".padEnd(w)}  ${"mean".padStart(9)}  ${"SE".padStart(9)}  ${"variance".padStart(9)}  ${"tokens".padStart(9)}\n`;
  const body = rows.map((r) => `${r.label.padEnd(w)}  ${num(r.mean)}  ${num(r.se)}  ${num(r.variance)}  ${String(r.count).padStart(9)}\n`).join("");
  return `${run.experiment}: ${run.samples} samples × ${run.T} positions, seed ${run.seed}; SE with rows as units\n${head}${body}`;
}

/** Several runs on the same reference rows and the % loss recovered of some of them, with 95 % intervals. */
export interface Comparison {
  samples: number;
  seed: number;
  runs: readonly Pick<RunManifest, "experiment" | "table">[];
  recovered: readonly { experiment: string; values: ArrayLike<number>; interval: RecoveredInterval }[];
}

/** One JSON document, or one CSV row per (experiment, category) with its recovered fraction where it has one. */
export function formatComparisonAs(format: "json" | "csv", c: Comparison): string {
  const rec = new Map(c.recovered.map((r) => [r.experiment, r]));
  const recoveredAt = (e: string, i: number) => {
    const r = rec.get(e);
    return r ? { recovered: r.values[i]!, lo: r.interval.lo[i]!, hi: r.interval.hi[i]!, gap_unclear: r.interval.gapUnclear[i]! } : null;
  };
  if (format === "json") {
    const tables = c.runs.map((m) => ({ experiment: m.experiment, categories: m.table.map(categoryJson) }));
    const recovered = c.recovered.map((r) => ({ experiment: r.experiment, categories: c.runs[0]!.table.map((row, i) => ({ category: row.label, ...recoveredAt(r.experiment, i) })) }));
    return JSON.stringify({ samples: c.samples, seed: c.seed, tables, recovered }, null, 2) + "\n";
  }
  const rows = c.runs.flatMap((m) =>
    m.table.map((r, i) => {
      const x = recoveredAt(m.experiment, i);
      return [...statsFields(m.experiment, r), x?.recovered ?? NaN, x?.lo ?? NaN, x?.hi ?? NaN, x ? String(x.gap_unclear) : ""];
    }),
  );
  return csvLines([STATS_COLUMNS, "recovered,lo,hi,gap_unclear"], rows);
}

type JsonNumber = number | null;

/** A comparison read back from its JSON format (what `--save` stores): null, for an empty category, is NaN again. */
export function parseComparison(text: string): Comparison {
  const j = JSON.parse(text) as {
    samples: number;
    seed: number;
    tables: { experiment: string; categories: { category: string; mean: JsonNumber; se: JsonNumber; variance: JsonNumber; count: number }[] }[];
    recovered: { experiment: string; categories: { recovered?: JsonNumber; lo?: JsonNumber; hi?: JsonNumber; gap_unclear?: boolean }[] }[];
  };
  const num = (x: JsonNumber | undefined) => x ?? NaN;
  const runs = j.tables.map((t) => ({
    experiment: t.experiment,
    table: t.categories.map((c) => ({ label: c.category, mean: num(c.mean), se: num(c.se), variance: num(c.variance), count: c.count })),
  }));
  const recovered = j.recovered.map((r) => ({
    experiment: r.experiment,
    values: r.categories.map((c) => num(c.recovered)),
    interval: { lo: Float64Array.from(r.categories, (c) => num(c.lo)), hi: Float64Array.from(r.categories, (c) => num(c.hi)), gapUnclear: r.categories.map((c) => c.gap_unclear === true) },
  }));
  return { samples: j.samples, seed: j.seed, runs, recovered };
}
