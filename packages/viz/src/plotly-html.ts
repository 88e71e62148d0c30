/**
 * A plotly figure as a self-contained HTML fragment for a notebook output, a saved page or a
 * browser. plotly.js itself is passed in as source text (read from the installed package by the
 * caller), never loaded from a CDN: notebooks must work offline, and nbviewer-style hosts block
 * third-party scripts anyway.
 *
 * The library and the figures are separate fragments so that a page (a saved notebook) holds
 * plotly.js exactly once, in `plotlyLibraryHtml`'s output, however often and in whatever order its
 * figures were made: each figure draws when both its element and `window.Plotly` exist, whichever
 * comes last (the library announces itself with the `isc-plotly-ready` event). Nothing is kept
 * in the kernel about what a page holds, since a reloaded page or a second tab holds only what
 * was saved.
 */
import { freshId, escapeHtml } from "./html.js";
import type { PlotlyFigure } from "./figure.js";

export interface PlotlyHtmlOptions {
  /** A PNG (base64, no data: prefix) shown until plotly draws, and where scripts do not run (e.g. GitHub). */
  readonly fallbackPngBase64?: string;
  readonly id?: string;
}

/** The event the library fragment fires on `window` once `window.Plotly` is defined. */
export const PLOTLY_READY_EVENT = "isc-plotly-ready";

/** What a figure shows where it has neither drawn nor a PNG copy (the runner swaps it for a PNG). */
export const PLOTLY_PLACEHOLDER = `<div style="color:#888;font:12px sans-serif">[plotly figure: run the notebook (trusted) to draw it]</div>`;

/** Makes text safe inside an inline `<script>`: no `</script>` and no JS-breaking line separators. */
export function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** JSON that can sit in a `<script type="application/json">` and still parse: `<` only occurs in strings. */
function jsonSafe(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * plotly.js, defined once on `window`, then `isc-plotly-ready` for the figures already waiting.
 * The UMD bundle registers with RequireJS instead of setting window.Plotly when `define` exists
 * (classic Jupyter has RequireJS), so `define` is hidden while the bundle runs.
 */
export function plotlyLibraryHtml(plotlySource: string): string {
  return (
    `<div class="isc-plotly-library" hidden></div>` +
    `<script type="text/javascript">window.__iscDefine = window.define; window.define = undefined;</script>` +
    `<script type="text/javascript">${scriptSafe(plotlySource)}</script>` +
    `<script type="text/javascript">window.define = window.__iscDefine;` +
    `window.dispatchEvent(new Event(${JSON.stringify(PLOTLY_READY_EVENT)}));</script>`
  );
}

/** One figure: its element (with a fallback), its spec as JSON, and a script that draws it when it can. */
export function plotlyHtml(fig: PlotlyFigure, options: PlotlyHtmlOptions = {}): string {
  const id = options.id ?? freshId("isc-plot");
  const w = typeof fig.layout.width === "number" ? `${fig.layout.width}px` : "100%";
  const h = typeof fig.layout.height === "number" ? `${fig.layout.height}px` : "420px";
  const fallback = options.fallbackPngBase64
    ? `<img alt="${escapeHtml(titleOf(fig))}" style="max-width:100%" src="data:image/png;base64,${options.fallbackPngBase64}">`
    : PLOTLY_PLACEHOLDER;
  const spec = jsonSafe({ data: fig.data, layout: fig.layout, config: fig.config ?? { displaylogo: false } });
  const sid = JSON.stringify(id);
  // Jupyter may run an output's scripts before it attaches the output to the page, hence the
  // retry on the next tick; the event covers a library that arrives after the figure.
  const draw =
    `<script type="text/javascript">(function(){function draw(){var el=document.getElementById(${sid});` +
    `if(!el||!window.Plotly||el.getAttribute("data-drawn")){return;}el.setAttribute("data-drawn","1");` +
    `var f=JSON.parse(document.getElementById(${sid}+"-spec").textContent);el.innerHTML="";` +
    `window.Plotly.newPlot(el,f.data,f.layout,f.config);}` +
    `window.addEventListener(${JSON.stringify(PLOTLY_READY_EVENT)},draw);draw();setTimeout(draw,0);})();</script>`;
  return (
    `<div id="${id}" class="isc-plot" style="width:${w};max-width:100%;min-height:${h}">${fallback}</div>` +
    `<script type="application/json" id="${id}-spec" class="isc-plot-spec">${spec}</script>${draw}`
  );
}

/** The figure spec inside a `plotlyHtml` fragment (for tools that post-process saved outputs), or undefined. */
export function plotlySpecOf(html: string): PlotlyFigure | undefined {
  const m = /<script type="application\/json" id="[^"]*" class="isc-plot-spec">([\s\S]*?)<\/script>/.exec(html);
  return m ? (JSON.parse(m[1]!) as PlotlyFigure) : undefined;
}

function titleOf(fig: PlotlyFigure): string {
  const t = fig.layout.title as { text?: string } | undefined;
  return t?.text ?? "figure";
}

/** A standalone HTML page (for `chromium --screenshot` or a browser tab) drawing the figure with inlined plotly. */
export function plotlyPage(fig: PlotlyFigure, plotlySource: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(titleOf(fig))}</title></head><body style="margin:0;background:white">${plotlyLibraryHtml(plotlySource)}${plotlyHtml(fig, { id: "plot" })}</body></html>`;
}
