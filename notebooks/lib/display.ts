/**
 * Showing things in a notebook (tslab or Deno: kernel.ts): HTML, markdown, and plotly figures. plotly.js goes into the
 * saved notebook once, as the output of `includePlotly()` (each notebook's first cell calls it);
 * figures carry only their spec and draw whenever the page holds the library, so they draw after a
 * reload, in a second tab or in nbconvert's HTML whatever order their cells ran in. Static PNG
 * copies for viewers that run no scripts are added afterwards by the runner (`pnpm notebooks
 * --png`), outside the kernel.
 */
import { type PlotlyFigure, plotlyHtml, plotlyLibraryHtml } from "@isc/viz";
import { showMime } from "./kernel.js";
import { plotlySource } from "./plotly-source.js";

let plotlyIncluded = false;

export function html(s: string): void {
  showMime("text/html", s);
}

export function markdown(s: string): void {
  showMime("text/markdown", s);
}

/**
 * Puts plotly.js (1.4 MB) into this cell's output. Call it in one early cell: re-running that cell
 * replaces its output, so the saved notebook keeps exactly one copy.
 */
export function includePlotly(): void {
  html(plotlyLibraryHtml(plotlySource()));
  plotlyIncluded = true;
}

/**
 * Draws a plotly figure in the notebook. Refuses before `includePlotly()`: carrying plotly.js in
 * the first figure instead would lose it when that cell is re-run (the kernel cannot tell).
 */
export async function plot(fig: PlotlyFigure): Promise<void> {
  if (!plotlyIncluded) throw new Error("call nb.includePlotly() once in an early cell first: its output holds plotly.js for every figure");
  html(plotlyHtml(fig));
}
