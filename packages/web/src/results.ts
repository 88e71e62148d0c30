/**
 * Results as HTML, through @isc/viz (the same tables and colours as the notebooks): the loss table
 * with % recovered beside it, attention heatmaps, and SAA coloured text. Each table's container
 * carries the full-precision means in `data-means`, which the end-to-end test compares with the CLI.
 */
import { lossRecovered } from "@isc/scrubbing";
import { attentionHeatmap, colouredTextHtml, escapeHtml, facetsFromStack, lossTableHtml, type PlotlyFigure, recoveredTableHtml, sideBySide } from "@isc/viz";
import _ from "lodash";
import type { ExperimentOutcome, PreliminaryResult, SaaResult, SingleResult } from "./protocol.js";

function tableOf(o: ExperimentOutcome) {
  return { name: o.name, rows: o.table };
}

function meansAttr(o: ExperimentOutcome): string {
  return escapeHtml(JSON.stringify(o.table.map((r) => r.mean)));
}

export function singleHtml(r: SingleResult): string {
  const cats = r.run.table.map((row) => row.label);
  const rec = lossRecovered(r.unscrubbed.table, r.baseline.table, r.run.table);
  const loss = lossTableHtml([tableOf(r.unscrubbed), tableOf(r.baseline), tableOf(r.run)], {
    stats: ["mean", "variance", "count"],
    caption: `Loss (mean per-token NLL) by category: ${r.run.samples} samples, seed ${r.run.seed}`,
  });
  const recovered = recoveredTableHtml(cats, [r.run.name], [rec], { caption: "% loss recovered", highlight: ["CANDIDATES"] });
  return (
    `<div class="run-table" data-experiment="${escapeHtml(r.run.name)}" data-samples="${r.run.samples}" data-seed="${r.run.seed}" data-means="${meansAttr(r.run)}" ` +
    `data-unscrubbed-means="${meansAttr(r.unscrubbed)}" data-baseline-means="${meansAttr(r.baseline)}">` +
    `<p class="run-desc"><b>${escapeHtml(r.run.name)}</b>: ${escapeHtml(r.run.description)} <span class="muted">(${r.run.seconds.toFixed(1)} s on ${escapeHtml(r.run.backend)})</span></p>` +
    sideBySide(loss, recovered) +
    `</div>`
  );
}

export function preliminaryHtml(r: PreliminaryResult): string {
  const by = _.keyBy(r.runs, (o) => o.name);
  const shown = r.runs.filter((o) => o.name !== "unscrubbed" && o.name !== "baseline");
  const u = by.unscrubbed!;
  const b = by.baseline!;
  const cats = u.table.map((row) => row.label);
  const loss = lossTableHtml(r.runs.map(tableOf), { stats: ["mean"], caption: `Preliminary experiments: mean loss, ${u.samples} samples each, seed ${u.seed}` });
  const rec = recoveredTableHtml(
    cats,
    shown.map((o) => o.name),
    shown.map((o) => lossRecovered(u.table, b.table, o.table)),
    { caption: "% loss recovered", highlight: ["CANDIDATES"] },
  );
  const data = escapeHtml(JSON.stringify(_.mapValues(by, (o) => o.table.map((row) => row.mean))));
  return `<div class="prelim-table" data-means="${data}">${loss}${rec}</div>`;
}

export function saaHtml(r: SaaResult, tokenStrings: readonly string[]): string {
  const tokens = r.row.map((id) => tokenStrings[id] ?? `<${id}>`);
  const label = `Loss change from ${r.base} to ${r.target} on row ${r.idx} (${r.samples} resamples; mean ${r.baseMean.toFixed(3)} → ${r.targetMean.toFixed(3)})`;
  return `<div class="saa" data-idx="${r.idx}">${colouredTextHtml(tokens, [{ label, values: r.values }], { title: "Subgraph Ablation Attribution" })}</div>`;
}

/** The chosen heads' mean attention over positions [start, end), with position numbers as labels. */
export function heatmapFigure(attn: NonNullable<SingleResult["attention"]>, heads: string[], start: number, end: number, title: string, width = 1060): PlotlyFigure {
  const pick = heads.map((name) => attn.heads.indexOf(name)).filter((i) => i >= 0);
  if (pick.length === 0) throw new RangeError("choose at least one head to show");
  const facets = facetsFromStack(attn.data, attn.T, pick, attn.heads);
  // Mean attention over many rows: positions, not one row's tokens, are what the axes mean.
  const labels = Array.from({ length: attn.T }, () => "");
  const columns = Math.min(pick.length, 3);
  // Panels shrink to fit the results column (viz adds ~160 px of margins and colour bar).
  const panelSize = Math.max(160, Math.min(300, Math.floor((width - 170) / columns)));
  const fig = attentionHeatmap(facets, { tokens: labels, start, end, title, panelSize, columns });
  return { ...fig, config: { ...fig.config, displayModeBar: false, responsive: false } };
}
