/**
 * Computations behind the key figures, shared by the notebooks and `pnpm figures` so the PNGs in
 * docs/figures are exactly what the notebooks draw. Each returns plain arrays or a plotly spec.
 */
import type { ExperimentRun } from "@isc/node";
import { type HookedTransformer, ICL_EARLY, ICL_LATE, inContextLearningScore, inductionScores, previousTokenScores, Rng, rowSourceNames, tf } from "@isc/core";
import { type AttentionFacet, attentionHeatmap, barChart, type BarSeries, colouredTextHtml, lineChart, matrixHeatmap, type PlotlyFigure } from "@isc/viz";
import { type RecoveredComparison, saaDiff } from "@isc/scrubbing";
import _ from "lodash";
import type { OpenedModel } from "./model.js";
import { rowTokens } from "./model.js";
import { CATEGORY_LABELS, recoveredOf } from "./experiments.js";
import { seedRecovered } from "./seed.js";

/**
 * Bars of % recovered on one category (Redwood's headline: CANDIDATES) with 95 % error bars, beside the
 * seed's when known; a bar whose baseline gap is not told apart from 0 is marked † and explained.
 */
export function recoveredBars(m: OpenedModel, runs: ReadonlyMap<string, ExperimentRun>, names: readonly string[], category = "CANDIDATES"): PlotlyFigure {
  const i = CATEGORY_LABELS.indexOf(category);
  if (i < 0) throw new Error(`no category ${category}`);
  const samples = runs.get(names[0]!)!.manifest.samples;
  const series = [recoveredSeries(`${m.name} model (${samples} samples; 95 % intervals, bootstrap over rows)`, recoveredOf(m, runs, names), i)];
  const seed = names.map((n) => seedRecovered(n)?.[i] ?? Number.NaN);
  if (seed.some((v) => Number.isFinite(v))) series.push({ name: "Redwood's model, seed notebook (10,000 samples)", values: seed });
  return barChart(names, series, { title: `% loss recovered on ${category} tokens` });
}

/** One bar per comparison: category `i`'s recovered fraction, its 95 % interval as the whisker, † where the gap is unclear. */
export function recoveredSeries(name: string, comparisons: readonly RecoveredComparison[], i: number): BarSeries {
  return {
    name,
    values: comparisons.map((c) => c.values[i]!),
    lo: comparisons.map((c) => c.interval.lo[i]!),
    hi: comparisons.map((c) => c.interval.hi[i]!),
    unclear: comparisons.map((c) => c.interval.gapUnclear[i]!),
  };
}

/**
 * Position-only attention of every layer-0 head over the first n positions (REPO `weights.pqpk`):
 * softmax(causal((P W_Q)(P W_K)ᵀ)) with P the positional embeddings and, as in REPO, no 1/√d scale
 * unless `scaled`. In this shortformer model positions enter Q and K only, so this is what a head
 * would do if every token looked alike. Returns [H, n, n].
 */
export function positionalPatterns(model: HookedTransformer, n = 50, scaled = false, layer = 0): Float32Array {
  const H = model.cfg.n_heads;
  const causal = new Float32Array(n * n); // [n, n]: 0 where k <= q, −1e4 above (the model's own masking value)
  for (let q = 0; q < n; q++) for (let k = q + 1; k < n; k++) causal[q * n + k] = -1e4;
  const out = tf.tidy(() => {
    // Batched matMuls rather than einsum, which the wasm backend lacks.
    const P = tf.slice(model.weights.pos_embed.W_pos, [0, 0], [n, -1]); // [n, d]
    const Ph = tf.broadcastTo(P, [H, n, model.cfg.d_model]); // [H, n, d]
    const q = tf.matMul(Ph, model.weights.blocks[layer].attn.W_Q); // [H, n, dh]
    const k = tf.matMul(Ph, model.weights.blocks[layer].attn.W_K); // [H, n, dh]
    let s = tf.matMul(q, k, false, true); // [H, n, n]
    if (scaled) s = tf.div(s, Math.sqrt(model.cfg.d_head));
    return tf.softmax(tf.add(s, tf.tensor2d(causal, [n, n])), -1);
  });
  try {
    return out.dataSync() as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Mean of A[t, t−1] over t = 1..n−1 for each head of a [H, n, n] stack: how previous-token-like it is. */
export function prevTokenMass(stack: Float32Array, n: number): number[] {
  const H = stack.length / (n * n);
  return _.range(H).map((h) => {
    let s = 0;
    for (let t = 1; t < n; t++) s += stack[h * n * n + t * n + t - 1]!;
    return s / (n - 1);
  });
}

/** Previous-token and induction scores of every head, as two layer × head heatmaps' data. */
export async function headScores(m: OpenedModel, rows: number, seqs: number): Promise<{ prev: number[][]; induction: number[][]; secondCopyLoss: number; firstCopyLoss: number }> {
  const ds = m.bundle.dataset;
  const n = Math.min(rows, ds.rows);
  const W = ds.width;
  const data = new Int32Array(n * W);
  for (let i = 0; i < n; i++) data.set(ds.row(i), i * W);
  const prev = await previousTokenScores(m.bundle.model, { data, batch: n, width: W });
  const ind = await inductionScores(m.bundle.model, new Rng(0), { nSeq: seqs, len: 50, beginId: m.bundle.tokenizer.beginId });
  return { prev, induction: ind.scores, secondCopyLoss: ind.secondCopyLoss, firstCopyLoss: ind.firstCopyLoss };
}

export function headScoresFigure(scores: number[][], title: string): PlotlyFigure {
  const H = scores[0]!.length;
  return matrixHeatmap(scores, {
    xLabels: _.range(H).map((h) => `head ${h}`),
    yLabels: scores.map((_, l) => `layer ${l}`),
    title,
    zmin: 0,
    zmax: Math.max(0.05, ...scores.flat()),
    colorbarTitle: "score",
  });
}

/**
 * SAA as coloured text: per-token loss change from `base` to each of `others` on the fixed example
 * (docs/semantics.md §8.1), one row per comparison on a shared colour scale so the rows compare.
 */
export function saaHtml(m: OpenedModel, base: ExperimentRun, others: readonly ExperimentRun[], idx: number, maxTokens = 301): string {
  const T = base.result.T;
  const tokens = rowTokens(m.bundle, idx).slice(0, T + 1);
  const rows = others.map((o) => ({ label: `Loss increase from ${base.name} to ${o.name}`, values: saaDiff(base.result.loss, o.result.loss, T) })); // [T+1] each
  return colouredTextHtml(tokens, rows, { title: `Example ${idx} (${base.manifest.samples} resamples per experiment)`, end: maxTokens });
}

/**
 * "Parroting" score of a head on one example (REPO `parrot.py`): for each key position k, the mean
 * attention it receives from the queries that can see it, Σ_q A[q,k] / (T − k). A head that
 * parrots keeps attending to a few salient earlier tokens whatever the query; an induction head
 * spreads its attention to whichever token followed the current one before.
 * @returns the top `n` keys, highest first.
 */
export async function parrotScores(m: OpenedModel, idx: number, head: string, n = 10): Promise<{ pos: number; token: string; score: number }[]> {
  const [layer, h] = head.split(".").map(Number) as [number, number];
  const row = Array.from(m.bundle.dataset.row(idx));
  const { nll, cache } = m.bundle.model.runWithCache([row], { namesFilter: `blocks.${layer}.attn.hook_pattern` });
  try {
    const T = row.length - 1;
    const pat = (await cache.get(`blocks.${layer}.attn.hook_pattern`).data()) as Float32Array; // [1, H, T, T]
    const tokens = rowTokens(m.bundle, idx);
    // From position 1: position 0 ([BEGIN]) is a sink, not a parrot.
    const scores = _.range(1, T).map((k) => {
      let s = 0;
      for (let q = k; q < T; q++) s += pat[h * T * T + q * T + k]!;
      return { pos: k, token: tokens[k]!, score: s / (T - k) };
    });
    return _.orderBy(scores, "score", "desc").slice(0, n);
  } finally {
    nll.dispose();
    cache.dispose();
  }
}

/** One head's mean attention on a fixed example under several experiments (each run with attention: "pattern"). */
export function headAcrossRuns(m: OpenedModel, runs: readonly ExperimentRun[], head: string, idx: number, maxLen: number, title?: string): PlotlyFigure {
  const first = runs[0]!.result.attention;
  if (!first) throw new Error("these runs have no attention: run them with attention: \"pattern\"");
  const T = first.T;
  const h = first.heads.indexOf(`a${head}`);
  if (h < 0) throw new Error(`no head a${head} among ${first.heads.join(", ")}`);
  const facets: AttentionFacet[] = runs.map((r) => ({ name: r.name, pattern: r.result.attention!.data.subarray(h * T * T, (h + 1) * T * T) }));
  return attentionHeatmap(facets, {
    tokens: rowTokens(m.bundle, idx).slice(0, T),
    dropBegin: true,
    maxLen,
    columns: facets.length,
    title: title ?? `Mean attention of ${head} on example ${idx}`,
    panelSize: 360,
  });
}

export interface PositionLoss {
  /** "natural", "technical", or "all rows" when the eval data names no sources. */
  name: string;
  rows: number;
  /** Mean loss at each position, [T]. */
  curve: number[];
  /** Olsson et al.'s ICL score: mean loss at 200–299 minus at 10–49. */
  score: number;
}

/**
 * Loss by position over the first `rows` eval rows, one curve per register of the rows (natural
 * English, technical text) when the eval data names each row's source: the ICL score differs by
 * register, so one pooled curve would hide why the score is what it is.
 */
export async function lossByPosition(m: OpenedModel, rows: number): Promise<PositionLoss[]> {
  const ds = m.bundle.dataset;
  const n = Math.min(rows, ds.rows);
  const sources = rowSourceNames(m.bundle.datasetMeta, n);
  const groups = _.groupBy(_.range(n), (i) => (sources && sources.register[sources.names[i]!]) ?? "all rows");
  const out: PositionLoss[] = [];
  for (const [name, idx] of Object.entries(groups).sort(([a], [b]) => a.localeCompare(b))) {
    const r = await inContextLearningScore(m.bundle.model, { data: ds.gather(Int32Array.from(idx)), batch: idx.length, width: ds.width });
    out.push({ name, rows: idx.length, curve: r.curve, score: r.score });
  }
  return out;
}

/** The loss-by-position curves, smoothed over `window` positions, with the two ICL windows named in the title. */
export function lossByPositionFigure(groups: readonly PositionLoss[], window = 10): PlotlyFigure {
  const smooth = (c: number[]) => c.map((_v, t) => {
    const lo = Math.max(0, t - window + 1);
    return _.mean(c.slice(lo, t + 1));
  });
  return lineChart(
    groups.map((g) => ({ name: `${g.name} (${g.rows} rows, ICL ${g.score.toFixed(3)})`, y: smooth(g.curve) })),
    {
      title: `Loss by position (mean of the last ${window}); ICL = loss at ${ICL_LATE.join("–")} minus at ${ICL_EARLY.join("–")}`,
      xTitle: "position",
      yTitle: "loss (nats)",
    },
  );
}

/** The card's ICL score per source of the eval rows (all rows, from export-model), as bars; null when the card has none. */
export function iclBySourceFigure(m: OpenedModel): PlotlyFigure | null {
  const evaluation = (m.bundle.card as { evaluation?: { icl_by_source?: Record<string, { score: number }> } }).evaluation;
  const bySource = evaluation?.icl_by_source;
  if (!bySource) return null;
  const names = Object.keys(bySource);
  return barChart(names, [{ name: `${m.name} model, all ${m.bundle.dataset.rows} eval rows (card)`, values: names.map((k) => bySource[k]!.score) }], {
    title: `ICL score by source of the eval rows — ${m.name} model`,
    yTitle: "nats (negative = context helps)",
    percent: false,
  });
}

/**
 * % loss recovered against the number of kept directions of a subspace family (docs/semantics.md
 * §5.5), with 95 % intervals as error bars. Dimensions are usually spaced by powers of two, so the
 * points are evenly spaced and labelled with their dimension.
 */
export function recoveredByDimensionFigure(points: readonly { dim: number; recovered: number; lo: number; hi: number }[], options: { title?: string; name?: string } = {}): PlotlyFigure {
  const pct = (x: number) => 100 * x;
  const fig = lineChart([{ name: options.name ?? "% recovered", x: _.range(points.length), y: points.map((p) => pct(p.recovered)) }], {
    title: options.title,
    xTitle: "kept directions d",
    yTitle: "% loss recovered",
  });
  const trace = fig.data[0] as Record<string, unknown>;
  trace.mode = "lines+markers";
  trace.error_y = { type: "data", symmetric: false, array: points.map((p) => pct(p.hi - p.recovered)), arrayminus: points.map((p) => pct(p.recovered - p.lo)) };
  const layout = fig.layout as { xaxis: Record<string, unknown> };
  layout.xaxis = { ...layout.xaxis, tickvals: _.range(points.length), ticktext: points.map((p) => String(p.dim)) };
  return fig;
}
