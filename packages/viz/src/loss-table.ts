/**
 * The loss table of the original notebook (docs/semantics.md §4.1) as HTML: token categories down the
 * side, experiments across, each with mean NLL, unbiased variance and count. The numbers are printed
 * with the same 3 decimals as the seed, so a reader can compare them cell by cell. Rows that carry a
 * standard error get an SE column beside every mean, so no mean is shown without how far it could move.
 */
import _ from "lodash";
import { escapeHtml, fmtCount, fmtFixed } from "./html.js";
import { chunks, MAX_FIGURE_WIDTH } from "./layout.js";

/** One category's statistics; `label` is what the row is called (e.g. "CANDIDATES"). */
export interface StatsRow {
  readonly label: string;
  readonly mean: number;
  /** The mean's standard error (rows as units, @isc/scrubbing's `categoryStandardErrors`); NaN prints "nan". */
  readonly se?: number;
  readonly variance: number;
  readonly count: number;
}

export interface ExperimentTable {
  readonly name: string;
  /** One row per category, in the same order for every experiment. */
  readonly rows: readonly StatsRow[];
}

export type StatColumn = "mean" | "variance" | "count";
/** What a column can show: the asked statistics, and "se" after "mean" when every row has one. */
type Column = StatColumn | "se";

export interface LossTableHtmlOptions {
  /** Which statistics to show per experiment (default all three); "mean" brings its SE when the rows have one. */
  readonly stats?: readonly StatColumn[];
  readonly caption?: string;
  /** Decimals for mean and variance (default 3, as the seed prints). */
  readonly digits?: number;
}

export const TABLE_STYLE =
  "border-collapse:collapse;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;margin:4px 0";
const TH = "border-bottom:1px solid #999;padding:2px 6px;text-align:center;white-space:nowrap";
const TD = "padding:2px 6px;text-align:right;white-space:nowrap";
const TDL = "padding:2px 6px;text-align:left;white-space:nowrap;font-weight:600";
const STAT_HEAD: Record<Column, string> = { mean: "mean", se: "SE", variance: "var", count: "count" };

/** Checks every experiment lists the same categories in the same order, and returns the labels. */
function sharedLabels(experiments: readonly ExperimentTable[]): string[] {
  if (experiments.length === 0) throw new RangeError("lossTableHtml needs at least one experiment");
  const labels = experiments[0]!.rows.map((r) => r.label);
  for (const e of experiments) {
    const got = e.rows.map((r) => r.label);
    if (!_.isEqual(got, labels)) {
      throw new RangeError(`experiment "${e.name}" has categories [${got.join(", ")}], expected [${labels.join(", ")}]`);
    }
  }
  return labels;
}

/** Widths (px) used to split a table that would be wider than `MAX_FIGURE_WIDTH`: the label column, one number column. */
const LABEL_PX = 190;
const STAT_PX = 68;

/** The table, split into several stacked ones when its experiments would not fit `MAX_FIGURE_WIDTH` side by side. */
export function lossTableHtml(experiments: readonly ExperimentTable[], options: LossTableHtmlOptions = {}): string {
  const withSe = experiments.every((e) => e.rows.every((r) => r.se !== undefined));
  const stats: Column[] = (options.stats ?? ["mean", "variance", "count"]).flatMap((s) => (s === "mean" && withSe ? ["mean", "se"] : [s]));
  const parts = chunks(experiments, (MAX_FIGURE_WIDTH - LABEL_PX) / (STAT_PX * stats.length));
  return parts.map((part, i) => oneLossTable(part, stats, { ...options, caption: i === 0 ? options.caption : undefined })).join("");
}

function oneLossTable(experiments: readonly ExperimentTable[], stats: readonly Column[], options: LossTableHtmlOptions): string {
  const labels = sharedLabels(experiments);
  const digits = options.digits ?? 3;
  const cell = (r: StatsRow, s: Column) => (s === "count" ? fmtCount(r.count) : fmtFixed(r[s]!, digits));
  const head1 = experiments.map((e) => `<th colspan="${stats.length}" style="${TH};border-left:1px solid #ccc">${escapeHtml(e.name)}</th>`).join("");
  const head2 = experiments.map(() => stats.map((s, j) => `<th style="${TH}${j === 0 ? ";border-left:1px solid #ccc" : ""};font-weight:400;color:#555">${STAT_HEAD[s]}</th>`).join("")).join("");
  const body = labels
    .map((label, i) => {
      const cells = experiments
        .map((e) => stats.map((s, j) => `<td style="${TD}${j === 0 ? ";border-left:1px solid #ccc" : ""}">${cell(e.rows[i]!, s)}</td>`).join(""))
        .join("");
      return `<tr style="${i % 2 ? "background:#f6f6f6" : ""}"><td style="${TDL}">${escapeHtml(label)}</td>${cells}</tr>`;
    })
    .join("");
  const caption = options.caption ? `<caption style="caption-side:top;text-align:left;font-weight:600;padding:2px 0">${escapeHtml(options.caption)}</caption>` : "";
  return (
    `<table class="isc-loss-table" style="${TABLE_STYLE};margin-bottom:8px">${caption}` +
    `<thead><tr><th style="${TH}" rowspan="2">category</th>${head1}</tr><tr>${head2}</tr></thead>` +
    `<tbody>${body}</tbody></table>`
  );
}
