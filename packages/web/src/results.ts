/**
 * Results as HTML, through @isc/viz (the same tables and colours as the notebooks): the loss table
 * (each mean with its SE) with % recovered and its 95 % interval beside it, attention heatmaps, and
 * SAA coloured text. Each table's container carries the full-precision means in `data-means` and the
 * recovered fractions with their intervals in `data-recovered`, which the end-to-end test compares
 * with the CLI.
 */
import { attentionHeatmap, colouredTextHtml, escapeHtml, facetsFromStack, lossTableHtml, type PlotlyFigure, recoveredTableHtml, sideBySide } from "@isc/viz";
import _ from "lodash";
import type { ExperimentOutcome, PreliminaryResult, RecoveredOutcome, SaaResult, SingleResult } from "./protocol.js";

function tableOf(o: ExperimentOutcome) {
  return { name: o.name, rows: o.table };
}

function meansAttr(o: ExperimentOutcome): string {
  return escapeHtml(JSON.stringify(o.table.map((r) => r.mean)));
}

/** Each experiment's recovered fractions and interval by name (NaN is null in JSON). */
function recoveredAttr(rec: readonly RecoveredOutcome[]): string {
  const plain = (r: RecoveredOutcome) => ({ values: [...r.values], lo: [...r.interval.lo], hi: [...r.interval.hi], gapUnclear: r.interval.gapUnclear });
  return escapeHtml(JSON.stringify(Object.fromEntries(rec.map((r) => [r.name, plain(r)]))));
}

/** % recovered of some experiments, with their 95 % intervals and the † note. */
function recoveredHtml(categories: readonly string[], rec: readonly RecoveredOutcome[], samples: number): string {
  return recoveredTableHtml(categories, rec.map((r) => r.name), rec.map((r) => r.values), {
    caption: `% loss recovered, 95 % intervals (bootstrap over the ${samples} reference rows)`,
    highlight: ["CANDIDATES"],
    intervals: rec.map((r) => r.interval),
  });
}

export function singleHtml(r: SingleResult): string {
  const cats = r.run.table.map((row) => row.label);
  const loss = lossTableHtml([tableOf(r.unscrubbed), tableOf(r.baseline), tableOf(r.run)], {
    stats: ["mean", "variance", "count"],
    caption: `Loss (mean per-token NLL ± SE, rows as units) by category: ${r.run.samples} samples, seed ${r.run.seed}`,
  });
  const recovered = recoveredHtml(cats, [r.recovered], r.run.samples);
  return (
    `<div class="run-table" data-experiment="${escapeHtml(r.run.name)}" data-samples="${r.run.samples}" data-seed="${r.run.seed}" data-means="${meansAttr(r.run)}" ` +
    `data-unscrubbed-means="${meansAttr(r.unscrubbed)}" data-baseline-means="${meansAttr(r.baseline)}" data-recovered="${recoveredAttr([r.recovered])}">` +
    `<p class="run-desc"><b>${escapeHtml(r.run.name)}</b>: ${escapeHtml(r.run.description)} <span class="muted">(${r.run.seconds.toFixed(1)} s on ${escapeHtml(r.run.backend)})</span></p>` +
    sideBySide(loss, recovered) +
    `</div>`
  );
}

export function preliminaryHtml(r: PreliminaryResult): string {
  const by = _.keyBy(r.runs, (o) => o.name);
  const u = by.unscrubbed!;
  const cats = u.table.map((row) => row.label);
  const loss = lossTableHtml(r.runs.map(tableOf), { stats: ["mean"], caption: `Preliminary experiments: mean loss ± SE, ${u.samples} samples each, seed ${u.seed}` });
  const rec = recoveredHtml(cats, r.recovered, u.samples);
  const data = escapeHtml(JSON.stringify(_.mapValues(by, (o) => o.table.map((row) => row.mean))));
  return `<div class="prelim-table" data-means="${data}" data-recovered="${recoveredAttr(r.recovered)}">${loss}${rec}</div>`;
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
