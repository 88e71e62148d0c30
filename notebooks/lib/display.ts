/**
 * Showing things in a notebook (tslab or Deno: kernel.ts): HTML, markdown, and plotly figures. The
 * first figure of a kernel inlines plotly.js (from the installed package); later ones reuse it. Static PNG copies for
 * viewers that run no scripts are added afterwards by the runner (`pnpm notebooks --png`), outside
 * the kernel.
 */
import { type PlotlyFigure, plotlyHtml } from "@isc/viz";
import { showMime } from "./kernel.js";
import { plotlySource } from "./plotly-source.js";

let plotlyInlined = false;

export function html(s: string): void {
  showMime("text/html", s);
}

export function markdown(s: string): void {
  showMime("text/markdown", s);
}

/** Draws a plotly figure in the notebook. */
export async function plot(fig: PlotlyFigure): Promise<void> {
  html(plotlyHtml(fig, { plotlySource: plotlyInlined ? undefined : plotlySource() }));
  plotlyInlined = true;
}
