/**
 * Loss tables and % loss recovered for programs, as JSON and CSV: the one spelling of their field
 * names, shared by the CLI (`scrub run/recovered --format json|csv`, via @isc/node) and the
 * playground's export buttons, so a file from either reads the same. NaN (an empty category, a
 * ratio without a gap) is null in JSON and empty in CSV.
 */
import type { RecoveredInterval } from "./recovered-interval.js";

/** One category of a loss table: the mean per-token loss, its standard error (rows as units), variance and token count. */
export interface StatsRow {
  label: string;
  mean: number;
  se: number;
  variance: number;
  count: number;
}

export const STATS_COLUMNS = "experiment,category,mean,se,variance,count";
export const RECOVERED_COLUMNS = "recovered,lo,hi,gap_unclear";

export function categoryJson(r: StatsRow) {
  return { category: r.label, mean: r.mean, se: r.se, variance: r.variance, count: r.count };
}

export function statsFields(experiment: string, r: StatsRow): (string | number)[] {
  return [experiment, r.label, r.mean, r.se, r.variance, r.count];
}

/** The header, then one line per row of fields. */
export function csvLines(header: readonly string[], rows: readonly (string | number)[][]): string {
  return header.join(",") + "\n" + rows.map((r) => r.map(csvValue).join(",") + "\n").join("");
}

function csvValue(v: string | number): string {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Several runs on the same reference rows and the % loss recovered of some of them, with 95 % intervals. */
export interface Comparison {
  samples: number;
  seed: number;
  runs: readonly { experiment: string; table: readonly StatsRow[] }[];
  recovered: readonly { experiment: string; values: ArrayLike<number>; interval: RecoveredInterval }[];
}

function recoveredLookup(c: Comparison) {
  const rec = new Map(c.recovered.map((r) => [r.experiment, r]));
  return (e: string, i: number) => {
    const r = rec.get(e);
    return r ? { recovered: r.values[i]!, lo: r.interval.lo[i]!, hi: r.interval.hi[i]!, gap_unclear: r.interval.gapUnclear[i]! } : null;
  };
}

/** The JSON document's object (numbers as they are: JSON.stringify writes NaN as null). */
export function comparisonJson(c: Comparison) {
  const recoveredAt = recoveredLookup(c);
  const tables = c.runs.map((m) => ({ experiment: m.experiment, categories: m.table.map(categoryJson) }));
  const recovered = c.recovered.map((r) => ({ experiment: r.experiment, categories: c.runs[0]!.table.map((row, i) => ({ category: row.label, ...recoveredAt(r.experiment, i) })) }));
  return { samples: c.samples, seed: c.seed, tables, recovered };
}

/** One JSON document, or one CSV row per (experiment, category) with its recovered fraction where it has one. */
export function formatComparisonAs(format: "json" | "csv", c: Comparison): string {
  if (format === "json") return JSON.stringify(comparisonJson(c), null, 2) + "\n";
  const recoveredAt = recoveredLookup(c);
  const rows = c.runs.flatMap((m) =>
    m.table.map((r, i) => {
      const x = recoveredAt(m.experiment, i);
      return [...statsFields(m.experiment, r), x?.recovered ?? NaN, x?.lo ?? NaN, x?.hi ?? NaN, x ? String(x.gap_unclear) : ""];
    }),
  );
  return csvLines([STATS_COLUMNS, RECOVERED_COLUMNS], rows);
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
