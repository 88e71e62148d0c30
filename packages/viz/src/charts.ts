/**
 * The small charts the notebooks need besides attention: % recovered bars per experiment (with
 * reference bars, e.g. the seed's numbers, beside them, and 95 % error bars where the series has an
 * interval), a labelled matrix heatmap for per-head scores (layer × head), and a line chart (loss by
 * position).
 */
import _ from "lodash";
import { type PlotlyFigure, roundTo, SEQUENTIAL_BLUES } from "./figure.js";
import { capWidth, withTitle } from "./layout.js";
import { UNCLEAR_MARK, UNCLEAR_NOTE } from "./recovered-interval.js";

export interface BarSeries {
  readonly name: string;
  /** One value per category on the x axis. */
  readonly values: ArrayLike<number>;
  /** 95 % interval per bar, same scale as `values`: drawn as an asymmetric error bar. */
  readonly lo?: ArrayLike<number>;
  readonly hi?: ArrayLike<number>;
  /** Bars whose ratio means nothing (the baseline gap's interval includes 0): marked † and explained under the chart. */
  readonly unclear?: readonly boolean[];
}

export interface BarChartOptions {
  readonly title?: string;
  readonly yTitle?: string;
  /** Show values as percentages (values are fractions). Default true. */
  readonly percent?: boolean;
  readonly height?: number;
  readonly width?: number;
}

/** Grouped bars: x = `categories` (e.g. experiment names), one bar trace per series. */
export function barChart(categories: readonly string[], series: readonly BarSeries[], options: BarChartOptions = {}): PlotlyFigure {
  const percent = options.percent ?? true;
  const palette = ["#2f6fb0", "#c0c0c0", "#e08a2c", "#4f9f55"];
  const scale = (v: number) => (Number.isFinite(v) ? (percent ? roundTo(v * 100, 2) : roundTo(v, 4)) : null);
  const data = series.map((s, i) => {
    if (s.values.length !== categories.length) throw new RangeError(`series "${s.name}" has ${s.values.length} values for ${categories.length} bars`);
    const y = Array.from(s.values, scale);
    const mark = (j: number) => (s.unclear?.[j] ? ` ${UNCLEAR_MARK}` : "");
    return {
      type: "bar",
      name: s.name,
      x: [...categories],
      y,
      text: y.map((v, j) => (v === null ? "n/a" : percent ? `${v.toFixed(1)}%` : v.toFixed(3)) + mark(j)),
      // With error bars the value sits at the foot of the bar, clear of the whisker around its top.
      textposition: s.lo && s.hi ? "inside" : "outside",
      insidetextanchor: "start",
      textangle: 0,
      cliponaxis: false,
      marker: { color: palette[i % palette.length] },
      ...(s.lo && s.hi ? { error_y: errorBars(y, Array.from(s.lo, scale), Array.from(s.hi, scale)) } : {}),
    };
  });
  const noted = series.some((s) => s.unclear?.some(Boolean));
  // A series' name says what its whiskers are; plotly hides the legend of a lone trace unless told.
  const whiskers = series.some((s) => s.lo && s.hi);
  return titled(options.title, {
    data,
    layout: {
      barmode: "group",
      yaxis: { title: { text: options.yTitle ?? (percent ? "% loss recovered" : "") }, ticksuffix: percent ? "%" : "", zeroline: true },
      legend: { orientation: "h", y: -0.2 },
      ...(whiskers ? { showlegend: true } : {}),
      width: capWidth(options.width ?? Math.max(640, 70 * categories.length * Math.max(1, series.length) + 160)),
      height: options.height ?? 420,
      margin: { t: 30, l: 70, r: 30, b: noted ? 120 : 90 },
      annotations: noted ? [{ text: UNCLEAR_NOTE, xref: "paper", yref: "paper", x: 0, y: -0.38, xanchor: "left", showarrow: false, font: { size: 11, color: "#555" } }] : [],
    },
    config: { displaylogo: false },
  });
}

/** Plotly's asymmetric error bar from an interval [lo, hi] around y (all on the plotted scale; null = none). */
function errorBars(y: (number | null)[], lo: (number | null)[], hi: (number | null)[]): Record<string, unknown> {
  // A percentile bootstrap interval can miss the point estimate on one side; the whisker then starts at the bar's end.
  const dist = (a: number | null, b: number | null) => (a === null || b === null ? null : roundTo(Math.max(0, a - b), 4));
  return {
    type: "data",
    symmetric: false,
    array: y.map((v, j) => dist(hi[j]!, v)),
    arrayminus: y.map((v, j) => dist(v, lo[j]!)),
    visible: true,
    color: "#222",
    thickness: 1.2,
    width: 4,
  };
}

export interface MatrixHeatmapOptions {
  readonly xLabels: readonly string[];
  readonly yLabels: readonly string[];
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly zmin?: number;
  readonly zmax?: number;
  /** Print each value in its cell with this many decimals (default 2; null for none). */
  readonly cellDigits?: number | null;
  readonly colorscale?: string | [number, string][];
  readonly colorbarTitle?: string;
  /** First row at the top (default true, like a table). */
  readonly topDown?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** A small labelled matrix, e.g. previous-token or induction scores with layers down and heads across. */
export function matrixHeatmap(z: readonly (readonly number[])[], options: MatrixHeatmapOptions): PlotlyFigure {
  if (z.length !== options.yLabels.length) throw new RangeError(`${z.length} rows for ${options.yLabels.length} y labels`);
  z.forEach((row, i) => {
    if (row.length !== options.xLabels.length) throw new RangeError(`row ${i} has ${row.length} values for ${options.xLabels.length} x labels`);
  });
  const digits = options.cellDigits === undefined ? 2 : options.cellDigits;
  const trace: Record<string, unknown> = {
    type: "heatmap",
    z: z.map((r) => r.map((v) => roundTo(v, 4))),
    x: [...options.xLabels],
    y: [...options.yLabels],
    colorscale: options.colorscale ?? SEQUENTIAL_BLUES,
    zmin: options.zmin,
    zmax: options.zmax,
    colorbar: { title: { text: options.colorbarTitle ?? "" } },
    hovertemplate: "%{y} · %{x}: %{z:.3f}<extra></extra>",
  };
  if (digits !== null) {
    trace.texttemplate = `%{z:.${digits}f}`;
    trace.textfont = { size: 11 };
  }
  return titled(options.title, {
    data: [trace],
    layout: {
      xaxis: { title: { text: options.xTitle ?? "" }, type: "category" },
      yaxis: { title: { text: options.yTitle ?? "" }, type: "category", autorange: options.topDown === false ? true : "reversed" },
      width: capWidth(options.width ?? Math.max(420, 60 * options.xLabels.length + 200)),
      height: options.height ?? Math.max(260, 50 * options.yLabels.length + 160),
      margin: { t: 30, l: 90, r: 30, b: 60 },
    },
    config: { displaylogo: false },
  });
}

export interface LineSeries {
  readonly name: string;
  readonly y: ArrayLike<number>;
  /** Default 0..n-1. */
  readonly x?: ArrayLike<number>;
}

export function lineChart(series: readonly LineSeries[], options: { title?: string; xTitle?: string; yTitle?: string; width?: number; height?: number } = {}): PlotlyFigure {
  return titled(options.title, {
    data: series.map((s) => ({
      type: "scatter",
      mode: "lines",
      name: s.name,
      x: s.x ? Array.from(s.x) : _.range(s.y.length),
      y: Array.from(s.y, (v) => roundTo(v, 4)),
    })),
    layout: {
      xaxis: { title: { text: options.xTitle ?? "" } },
      yaxis: { title: { text: options.yTitle ?? "" } },
      width: capWidth(options.width ?? 720),
      height: options.height ?? 380,
      margin: { t: 30, l: 70, r: 30, b: 60 },
      legend: { orientation: "h", y: -0.25 },
    },
    config: { displaylogo: false },
  });
}

/** The figure with its title placed and sized by `withTitle`, or as it is when it has none. */
function titled(title: string | undefined, fig: PlotlyFigure): PlotlyFigure {
  return title ? withTitle(fig, title) : fig;
}
