/**
 * A loss table for people or for programs. `seed` is byte-identical to the seed notebook's print;
 * `table` has column headers and each mean's standard error; `json` and `csv` hold every field
 * (NaN, for an empty category, is null in JSON and empty in CSV). Comparisons (`recovered`,
 * `preliminary`) add each experiment's % loss recovered and its 95 % interval.
 */
import { categoryJson, csvLines, formatLossTable, formatPyFixed, STATS_COLUMNS, statsFields } from "@isc/scrubbing";
import type { RunManifest, TableRow } from "./results.js";

// Comparisons are spelled by @isc/scrubbing, which the playground's export shares.
export { type Comparison, formatComparisonAs, parseComparison } from "@isc/scrubbing";

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

function headedTable(run: TableContext, rows: readonly TableRow[]): string {
  const w = Math.max(...rows.map((r) => r.label.length), "category".length);
  const num = (x: number) => formatPyFixed(x, 3).padStart(9);
  const head = `${"category".padEnd(w)}  ${"mean".padStart(9)}  ${"SE".padStart(9)}  ${"variance".padStart(9)}  ${"tokens".padStart(9)}\n`;
  const body = rows.map((r) => `${r.label.padEnd(w)}  ${num(r.mean)}  ${num(r.se)}  ${num(r.variance)}  ${String(r.count).padStart(9)}\n`).join("");
  return `${run.experiment}: ${run.samples} samples × ${run.T} positions, seed ${run.seed}; SE with rows as units\n${head}${body}`;
}
