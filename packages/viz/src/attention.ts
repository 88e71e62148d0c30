/**
 * Attention patterns as plotly heatmaps (query down, key across), in the spirit of CircuitsVis'
 * `attention_heads` (github.com/TransformerLensOrg/CircuitsVis) and CUI's "Sided/Tiny matrix" (docs/semantics.md §8.2): one panel per
 * facet (a head, or an experiment), token labels on both axes, one shared colour bar. Cropping and
 * dropping `[BEGIN]` mirror REPO's `max_seq_len` and `trim_beg`: patterns are 300×300, and most heads
 * park attention on position 0, which washes out everything else.
 */
import { DIVERGING_BLUE_RED, inlineToken, type PlotlyFigure, roundTo, SEQUENTIAL_BLUES } from "./figure.js";
import { MAX_FIGURE_WIDTH, MIN_FONT_SIZE, withTitle } from "./layout.js";

export interface AttentionFacet {
  /** Panel title, e.g. "a1.5" or "unscrubbed". */
  readonly name: string;
  /** [T, T] row-major: pattern[q * T + k] is how much query q attends to key k. */
  readonly pattern: ArrayLike<number>;
}

export interface AttentionHeatmapOptions {
  /** Labels of positions 0..T-1 (decoded tokens); their count is T. */
  readonly tokens: readonly string[];
  /** First position shown (default 0). */
  readonly start?: number;
  /** One past the last position shown (default T). */
  readonly end?: number;
  /** Show at most this many positions from `start` (REPO's `max_seq_len`). */
  readonly maxLen?: number;
  /** Drop position 0, the `[BEGIN]` token (REPO's `trim_beg`). */
  readonly dropBegin?: boolean;
  readonly title?: string;
  /** Panels per row (default min(facets, 4)). */
  readonly columns?: number;
  /** Colour range; default [0, max shown] for patterns, symmetric around 0 when `diverging`. */
  readonly zmin?: number;
  readonly zmax?: number;
  /** For differences of patterns: a red/blue scale centred on 0. */
  readonly diverging?: boolean;
  /** Leave keys after the query blank (default true: they are masked and always 0). */
  readonly maskFuture?: boolean;
  /** Decimals kept in the figure JSON (default 4). */
  readonly digits?: number;
  /** Pixel size of one panel (default 320). */
  readonly panelSize?: number;
  readonly colorbarTitle?: string;
}

/** The positions a view shows, after `start`, `end`, `maxLen` and `dropBegin`. */
export function croppedRange(T: number, o: Pick<AttentionHeatmapOptions, "start" | "end" | "maxLen" | "dropBegin">): [number, number] {
  let start = Math.max(0, o.start ?? 0);
  if (o.dropBegin) start = Math.max(start, 1);
  let end = Math.min(T, o.end ?? T);
  if (o.maxLen !== undefined) end = Math.min(end, start + o.maxLen);
  if (end <= start) throw new RangeError(`the crop leaves no positions: [${start}, ${end}) of ${T}`);
  return [start, end];
}

/** Unique axis labels "pos token": plotly merges equal category labels, and tokens repeat. */
export function positionLabels(tokens: readonly string[], start: number, end: number): string[] {
  const out: string[] = [];
  for (let p = start; p < end; p++) out.push(`${p} ${inlineToken(tokens[p]!)}`);
  return out;
}

export function attentionHeatmap(facets: readonly AttentionFacet[], options: AttentionHeatmapOptions): PlotlyFigure {
  const T = checkFacets(facets, options.tokens.length);
  const [start, end] = croppedRange(T, options);
  const labels = positionLabels(options.tokens, start, end);
  const { zs, lo, hi } = shownPatterns(facets, T, start, end, options);
  const grid = panelGrid(facets.length, options);
  const data = zs.map((z, i) => heatmapTrace(facets[i]!.name, z, labels, i));
  const layout = heatmapLayout(facets, grid, colourRange(lo, hi, options), options);
  const fig = { data, layout, config: { displaylogo: false } };
  return options.title ? withTitle(fig, options.title) : fig;
}

/** T, once every facet is known to hold a T×T pattern. */
function checkFacets(facets: readonly AttentionFacet[], T: number): number {
  if (facets.length === 0) throw new RangeError("attentionHeatmap needs at least one facet");
  for (const f of facets) {
    if (f.pattern.length !== T * T) throw new RangeError(`facet "${f.name}" has ${f.pattern.length} values; ${T} tokens need ${T * T}`);
  }
  return T;
}

type Z = (number | null)[][];

/** Each facet's cropped, rounded pattern, and the extremes of what it shows (before rounding) for the colour range. */
function shownPatterns(facets: readonly AttentionFacet[], T: number, start: number, end: number, options: AttentionHeatmapOptions): { zs: Z[]; lo: number; hi: number } {
  const mask = options.maskFuture ?? true;
  const digits = options.digits ?? 4;
  let lo = Infinity;
  let hi = -Infinity;
  const zs = facets.map((f) => {
    const z: Z = [];
    for (let q = start; q < end; q++) {
      const row: (number | null)[] = [];
      for (let k = start; k < end; k++) {
        if (mask && k > q) {
          row.push(null);
          continue;
        }
        const v = f.pattern[q * T + k]!;
        if (Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        row.push(roundTo(v, digits));
      }
      z.push(row);
    }
    return z;
  });
  return { zs, lo, hi };
}

function colourRange(lo: number, hi: number, options: AttentionHeatmapOptions): { zmin: number; zmax: number } {
  // Never an empty range, even for an all-zero (or all-masked) view.
  const bound = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
  return {
    zmin: options.zmin ?? (options.diverging ? -bound : Math.min(0, lo)),
    zmax: options.zmax ?? (options.diverging ? bound : Math.max(hi, 1e-9)),
  };
}

interface PanelGrid {
  cols: number;
  rows: number;
  /** Pixels per panel. */
  size: number;
}

function panelGrid(panels: number, options: AttentionHeatmapOptions): PanelGrid {
  const cols = Math.max(1, Math.min(options.columns ?? Math.min(panels, 4), panels));
  // Panels shrink so that the grid, its axis titles and colour bar fit the widest figure.
  return { cols, rows: Math.ceil(panels / cols), size: Math.min(options.panelSize ?? 320, (MAX_FIGURE_WIDTH - 160) / cols) };
}

/** Plotly names panel i's axes "x", "x2", "x3", …. */
const axisSuffix = (i: number) => (i === 0 ? "" : String(i + 1));

function heatmapTrace(name: string, z: Z, labels: string[], i: number) {
  return {
    type: "heatmap",
    name,
    z,
    x: labels,
    y: labels,
    xaxis: `x${axisSuffix(i)}`,
    yaxis: `y${axisSuffix(i)}`,
    coloraxis: "coloraxis",
    hoverongaps: false,
    hovertemplate: `${name}<br>query %{y}<br>key %{x}<br>%{z:.4f}<extra></extra>`,
  };
}

/** One shared colour bar; panel titles as annotations; axis titles only on the outer panels. */
function heatmapLayout(facets: readonly AttentionFacet[], grid: PanelGrid, range: { zmin: number; zmax: number }, options: AttentionHeatmapOptions): Record<string, unknown> {
  const { cols, rows, size } = grid;
  const layout: Record<string, unknown> = {
    grid: { rows, columns: cols, pattern: "independent", xgap: 0.12, ygap: 0.18 },
    coloraxis: {
      cmin: range.zmin,
      cmax: range.zmax,
      colorscale: options.diverging ? DIVERGING_BLUE_RED : SEQUENTIAL_BLUES,
      colorbar: { title: { text: options.colorbarTitle ?? (options.diverging ? "Δ attention" : "attention") } },
    },
    width: Math.round(cols * size + 160),
    height: Math.round(rows * size + 120),
    margin: { l: 90, r: 40, t: 40, b: 80 },
    annotations: facets.map((f, i) => ({
      text: `<b>${f.name}</b>`,
      showarrow: false,
      xref: `x${axisSuffix(i)} domain`,
      yref: `y${axisSuffix(i)} domain`,
      x: 0.5,
      y: 1.0,
      yanchor: "bottom",
      font: { size: 13 },
    })),
  };
  // Every panel shows the same tokens, so only the outer panels label them: the labels stay
  // readable (plotly thins crowded category ticks) and never run into the next row's panel titles.
  const tick = { size: MIN_FONT_SIZE };
  facets.forEach((_, i) => {
    const bottom = i >= facets.length - cols;
    const left = i % cols === 0;
    layout[`xaxis${axisSuffix(i)}`] = { tickangle: -60, tickfont: tick, showticklabels: bottom, title: bottom ? { text: "key" } : undefined };
    layout[`yaxis${axisSuffix(i)}`] = { autorange: "reversed", tickfont: tick, showticklabels: left, title: left ? { text: "query" } : undefined };
  });
  return layout;
}

/**
 * Facets from a stack of patterns `[heads, T, T]` (e.g. `MeanAttention.data`, `[L*H, T, T]`), picking
 * heads by index; names default to CUI's "a{layer}.{head}" given `headsPerLayer`.
 */
export function facetsFromStack(data: Float32Array, T: number, pick: readonly number[], names: readonly string[]): AttentionFacet[] {
  const per = T * T;
  if (data.length % per !== 0) throw new RangeError(`stack has ${data.length} values, not a multiple of T·T = ${per}`);
  return pick.map((h) => {
    if (h < 0 || (h + 1) * per > data.length) throw new RangeError(`head index ${h} is outside the stack of ${data.length / per}`);
    return { name: names[h] ?? `head ${h}`, pattern: data.subarray(h * per, (h + 1) * per) };
  });
}
