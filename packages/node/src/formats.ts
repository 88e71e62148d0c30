/**
 * A loss table for people or for programs. `seed` is byte-identical to the seed notebook's print;
 * `table` has column headers and each mean's standard error; `json` and `csv` hold every field
 * (NaN, for an empty category, is null in JSON and empty in CSV).
 */
import { formatLossTable, formatPyFixed } from "@isc/scrubbing";
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
      return JSON.stringify({ experiment: run.experiment, samples: run.samples, seed: run.seed, T: run.T, categories: rows.map((r) => ({ category: r.label, mean: r.mean, se: r.se, variance: r.variance, count: r.count })) }, null, 2) + "\n";
    case "csv":
      return CSV_HEADER + rows.map((r) => [run.experiment, r.label, r.mean, r.se, r.variance, r.count].map(csvValue).join(",") + "\n").join("");
  }
}

export const CSV_HEADER = "experiment,category,mean,se,variance,count\n";

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
