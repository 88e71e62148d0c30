/**
 * "% loss recovered" (docs/semantics.md §5.4) as an HTML table with a colour scale: categories down
 * the side, experiments across. White is 0% (the hypothesis explains none of the loss the baseline
 * scrub destroys), full green is 100%; values outside [0, 100%] are clamped for the colour and
 * framed, because they mean the hypothesis did better than the real model or worse than the baseline.
 * Optional reference values (e.g. the seed's, docs/semantics.md §10.2) print small under each cell.
 * With intervals, each cell reads "89.7% [80.1%, 95.0%]", and a category whose baseline gap is not
 * told apart from 0 is marked †, greyed instead of coloured, and explained in a note under the table.
 */
import _ from "lodash";
import { escapeHtml } from "./html.js";
import { chunks, MAX_FIGURE_WIDTH } from "./layout.js";
import { TABLE_STYLE } from "./loss-table.js";
import { fmtPercent, fmtPercentInterval, type RecoveredIntervalLike, UNCLEAR_MARK, UNCLEAR_NOTE, unclearAt } from "./recovered-interval.js";

export interface RecoveredTableOptions {
  readonly caption?: string;
  /** Decimals of the percentage (default 1). */
  readonly digits?: number;
  /** Reference fractions per experiment name, same category order (e.g. Redwood's numbers). */
  readonly reference?: Readonly<Record<string, ArrayLike<number>>>;
  readonly referenceLabel?: string;
  /** Categories to print in bold (Redwood's headline is CANDIDATES). */
  readonly highlight?: readonly string[];
  /** One 95 % interval per experiment, same category order (e.g. @isc/scrubbing's `bootstrapRecovered`). */
  readonly intervals?: readonly RecoveredIntervalLike[];
}

/** Background for a recovered fraction: lightness falls from 100% (≤ 0) to 62% (≥ 1) at hue 135 (green). */
export function recoveredColour(fraction: number): string {
  if (!Number.isFinite(fraction)) return "hsl(0, 0%, 90%)";
  const f = Math.min(1, Math.max(0, fraction));
  return `hsl(135, 55%, ${Math.round(100 - 38 * f)}%)`;
}

const TH = "border-bottom:1px solid #999;padding:2px 8px;text-align:center;white-space:nowrap";

/**
 * @param categories row labels, in the order of each `recovered` column.
 * @param expNames column names.
 * @param recovered one `[categories]` array of fractions (not ×100) per experiment.
 */
/** Widths (px) used to split a table wider than `MAX_FIGURE_WIDTH`: the label column, one experiment with and without its interval. */
const LABEL_PX = 190;
const COLUMN_PX = { interval: 180, plain: 75 };

/** The table, split into several stacked ones when its experiments would not fit `MAX_FIGURE_WIDTH` side by side. */
export function recoveredTableHtml(
  categories: readonly string[],
  expNames: readonly string[],
  recovered: readonly ArrayLike<number>[],
  options: RecoveredTableOptions = {},
): string {
  if (expNames.length !== recovered.length) throw new RangeError(`${expNames.length} experiment names but ${recovered.length} columns`);
  if (options.intervals && options.intervals.length !== recovered.length) throw new RangeError(`${options.intervals.length} intervals for ${recovered.length} columns`);
  recovered.forEach((col, j) => {
    if (col.length !== categories.length) throw new RangeError(`column "${expNames[j]}" has ${col.length} values for ${categories.length} categories`);
  });
  const per = (MAX_FIGURE_WIDTH - LABEL_PX) / (options.intervals ? COLUMN_PX.interval : COLUMN_PX.plain);
  return chunks(_.range(expNames.length), per)
    .map((js, k) => {
      const pick = <T>(xs: readonly T[]) => js.map((j) => xs[j]!);
      const part = { ...options, caption: k === 0 ? options.caption : undefined, intervals: options.intervals && pick(options.intervals) };
      return oneRecoveredTable(categories, pick(expNames), pick(recovered), part);
    })
    .join("");
}

function oneRecoveredTable(categories: readonly string[], expNames: readonly string[], recovered: readonly ArrayLike<number>[], options: RecoveredTableOptions): string {
  const bold = new Set(options.highlight ?? []);
  const head = expNames.map((n) => `<th style="${TH}">${escapeHtml(n)}</th>`).join("");
  const body = categories
    .map((cat, i) => {
      const w = bold.has(cat) ? "font-weight:700;" : "";
      const mark = unclearAt(options.intervals, i) ? ` ${UNCLEAR_MARK}` : "";
      const cells = recovered.map((col, j) => recoveredCell(cat, expNames[j]!, col[i]!, i, w, options, options.intervals?.[j])).join("");
      return `<tr><td style="padding:2px 8px;text-align:left;white-space:nowrap;${w}">${escapeHtml(cat + mark)}</td>${cells}</tr>`;
    })
    .join("");
  const caption = options.caption ? `<caption style="caption-side:top;text-align:left;font-weight:600;padding:2px 0">${escapeHtml(options.caption)}</caption>` : "";
  const noted = categories.some((_c, i) => unclearAt(options.intervals, i));
  const foot = noted ? `<tfoot><tr><td colspan="${expNames.length + 1}" style="padding:4px 8px;font-size:11px;color:#555;white-space:normal">${escapeHtml(UNCLEAR_NOTE)}</td></tr></tfoot>` : "";
  return `<table class="isc-recovered-table" style="${TABLE_STYLE};margin-bottom:8px">${caption}<thead><tr><th style="${TH}">category</th>${head}</tr></thead><tbody>${body}</tbody>${foot}</table>`;
}

/** One cell: the percentage, its interval if given, the reference value small under it. */
function recoveredCell(cat: string, exp: string, v: number, i: number, weight: string, options: RecoveredTableOptions, interval?: RecoveredIntervalLike): string {
  const digits = options.digits ?? 1;
  const unclear = interval?.gapUnclear[i] === true;
  // A ratio over an unclear gap is noise: grey, never green and never framed as a striking value.
  const out = !unclear && Number.isFinite(v) && (v < 0 || v > 1) ? "outline:1px dashed #555;outline-offset:-2px;" : "";
  const look = unclear ? "background:hsl(0, 0%, 90%);color:#666;" : `background:${recoveredColour(v)};`;
  const ci = interval ? fmtPercentInterval(interval.lo[i]!, interval.hi[i]!, digits) : "";
  const ciText = ci ? ` <span class="isc-ci" style="font-size:11px;color:#444">${ci}</span>` : "";
  const ref = options.reference?.[exp];
  const refText = ref ? `<div style="font-size:10px;color:#555">${escapeHtml(options.referenceLabel ?? "ref")} ${fmtPercent(ref[i]!, digits)}</div>` : "";
  const title = `${exp} · ${cat}: ${fmtPercent(v, 3)}${ci ? ` (95 % interval ${ci})` : ""}${unclear ? ` ${UNCLEAR_NOTE}` : ""}`;
  return `<td style="padding:2px 8px;text-align:right;white-space:nowrap;${weight}${out}${look}" title="${escapeHtml(title)}">${fmtPercent(v, digits)}${ciText}${refText}</td>`;
}

/** Puts HTML blocks next to each other (wrapping on narrow screens): the loss table with % recovered beside it. */
export function sideBySide(...blocks: string[]): string {
  return `<div style="display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start">${blocks.map((b) => `<div style="overflow-x:auto;max-width:100%">${b}</div>`).join("")}</div>`;
}
