/**
 * Layout rules every figure and table here shares, so a notebook output never scrolls sideways and
 * its text stays readable: nothing wider than `MAX_FIGURE_WIDTH`, no text under `MIN_FONT_SIZE`, and
 * titles placed below the band where plotly's toolbar (modebar) appears on hover, and shrunk or
 * wrapped to fit the figure's width instead of being clipped.
 */
import type { PlotlyFigure } from "./figure.js";

/** The widest a figure or a table may be, in CSS pixels (a notebook's output column on a laptop). */
export const MAX_FIGURE_WIDTH = 1200;
/** The smallest font size used for any label. */
export const MIN_FONT_SIZE = 10;
/** Height of the modebar's band at the top of a figure: titles start below it. */
const MODEBAR_BAND = 34;
const TITLE_MAX_SIZE = 17;
const TITLE_MIN_SIZE = 13;
/** Average glyph width as a fraction of the font size (plotly's default sans-serif). */
const GLYPH = 0.56;

/** `width` capped at `MAX_FIGURE_WIDTH`. */
export function capWidth(width: number): number {
  return Math.min(MAX_FIGURE_WIDTH, Math.round(width));
}

/** Breaks `text` at spaces into lines of at most `perLine` characters. */
function wrap(text: string, perLine: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= perLine) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** A plotly title for a figure `width` pixels wide, and the top margin that leaves room for it below the modebar. */
export function chartTitle(text: string, width: number): { title: Record<string, unknown>; marginTop: number } {
  const room = width - 40;
  const size = Math.max(TITLE_MIN_SIZE, Math.min(TITLE_MAX_SIZE, Math.floor(room / (GLYPH * text.length))));
  const lines = wrap(text, Math.max(10, Math.floor(room / (GLYPH * size))));
  const title = { text: lines.join("<br>"), font: { size }, x: 0.5, xanchor: "center", xref: "container", y: 1, yref: "container", yanchor: "top", pad: { t: MODEBAR_BAND } };
  return { title, marginTop: MODEBAR_BAND + Math.ceil(lines.length * size * 1.3) + 16 };
}

/** The figure with `text` as its title (replacing any), its top margin grown to fit the title. */
export function withTitle<F extends PlotlyFigure>(fig: F, text: string): F {
  const width = typeof fig.layout.width === "number" ? fig.layout.width : 700;
  const { title, marginTop } = chartTitle(text, width);
  const margin = { ...(fig.layout.margin as Record<string, unknown> | undefined), t: marginTop };
  const height = typeof fig.layout.height === "number" ? fig.layout.height + Math.max(0, marginTop - Number((fig.layout.margin as { t?: number } | undefined)?.t ?? 0)) : undefined;
  return { ...fig, layout: { ...fig.layout, title, margin, ...(height === undefined ? {} : { height }) } };
}

/** Splits `items` into runs of at most `per` (at least 1), for tables too wide to show in one. */
export function chunks<T>(items: readonly T[], per: number): T[][] {
  const n = Math.max(1, Math.floor(per));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
