#!/usr/bin/env node
/**
 * `pnpm figures [--samples N] [--model auto|default|redwood]`: renders the key figures of the
 * notebooks to PNG in docs/figures/ with Debian's Chromium (playwright-core), from the same code the
 * notebooks run (@isc/notebooks' library), so the README shows what the notebooks show.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import _ from "lodash";
import { type Command, parseOrHelp, runMain } from "@isc/node";
import * as ex from "@isc/notebooks/experiments";
import * as fig from "@isc/notebooks/figures";
import * as mod from "@isc/notebooks/model";
import { PngRenderer } from "@isc/notebooks/render-png";
import * as seed from "@isc/notebooks/seed";
import * as viz from "@isc/viz";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../..");

const COMMAND = {
  name: "figures",
  summary: "Renders the notebooks' key figures to PNG (Debian's Chromium) for the README.",
  flags: {
    samples: { type: "int", min: 1, help: "samples per experiment (default 100)" },
    model: { type: "string", arg: "auto|default|redwood", help: "the model (default auto: Redwood's when imported)" },
    out: { type: "string", arg: "DIR", help: "where the PNGs go (default docs/figures)" },
  },
} as const satisfies Command;

async function main(): Promise<void> {
  const parsed = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!parsed) return;
  const f = parsed.flags;
  const args = { samples: f.samples ?? 100, model: f.model ?? "auto", out: f.out ? path.resolve(f.out) : path.join(root, "docs", "figures") };
  process.chdir(root);
  mkdirSync(args.out, { recursive: true });
  const m = await mod.openModel(args.model);
  const [A] = m.inductionHeads as [string];
  const IDX = Math.min(4, m.bundle.dataset.rows - 1);
  const tag = `${m.name} model${m.interim ? " (interim)" : ""}, ${args.samples} samples`;
  const r = await PngRenderer.launch();
  const written: string[] = [];
  const save = (name: string, png: Buffer) => {
    const file = path.join(args.out, name);
    writeFileSync(file, png);
    written.push(`${path.relative(root, file)} (${(png.length / 1024).toFixed(0)} kB)`);
  };
  try {
    // 01: the preliminary experiments.
    const prelim = ["unscrubbed", "ev", "pth-k", "eq", "all", "baseline", "ev+", "pth-k+", "eq+"];
    const runs = await ex.runMany(m, prelim, { samples: args.samples });
    const scored = _.without(prelim, "unscrubbed", "baseline");
    save("preliminary-recovered.png", await r.render(viz.withTitle(fig.recoveredBars(m, runs, scored), `% loss recovered on CANDIDATES — ${tag}`)));
    const comparisons = ex.recoveredOf(m, runs, scored);
    const table = viz.recoveredTableHtml(ex.CATEGORY_LABELS, scored, comparisons.map((c) => c.values), {
      caption: `${ex.recoveredCaption(args.samples)} — ${tag} (small: Redwood's model, seed notebook)`,
      intervals: comparisons.map((c) => c.interval),
      reference: Object.fromEntries(scored.map((e) => [e, seed.seedRecovered(e) ?? new Array<number>(9).fill(Number.NaN)])),
      referenceLabel: "Redwood",
      highlight: ["CANDIDATES"],
    });
    save("preliminary-table.png", await r.renderHtml(table, 1100));

    // 02: SAA on one example, and one induction head's attention unscrubbed vs scrubbed.
    const saa = await ex.runMany(m, ["unscrubbed", `scrub-${A}`], { samples: args.samples, idx: IDX });
    save("saa-example.png", await r.renderHtml(fig.saaHtml(m, saa.get("unscrubbed")!, [saa.get(`scrub-${A}`)!], IDX, 140), 1000));
    const att = await ex.runMany(m, ["unscrubbed", `${A}-pth-k+`, `scrub-${A}`], { samples: args.samples, idx: IDX, attention: "pattern" });
    save("induction-head-attention.png", await r.render(viz.withTitle(fig.headAcrossRuns(m, [...att.values()], A, IDX, 40), `Mean attention of ${A} on example ${IDX}: unscrubbed vs scrubbed — ${tag}`)));

    // 03: position-only attention of layer 0.
    const H = m.bundle.model.cfg.n_heads;
    const heads = _.range(H);
    const names = heads.map((h) => `a0.${h}`);
    const pos = fig.positionalPatterns(m.bundle.model, 50);
    save("layer0-positional.png", await r.render(viz.attentionHeatmap(viz.facetsFromStack(pos, 50, heads, names), {
      tokens: _.times(50, () => ""), columns: 4, panelSize: 250, title: `Position-only attention of the layer-0 heads — ${m.name} model`,
    })));

    // 00: head detector scores.
    const scores = await fig.headScores(m, Math.min(args.samples, 64), Math.min(args.samples, 100));
    save("induction-scores.png", await r.render(fig.headScoresFigure(scores.induction, `Induction score per head — ${m.name} model`)));
    save("previous-token-scores.png", await r.render(fig.headScoresFigure(scores.prev, `Previous-token score per head — ${m.name} model`)));
    // 00: in-context learning.
    save("loss-by-position.png", await r.render(fig.lossByPositionFigure(await fig.lossByPosition(m, Math.max(args.samples, 400)))));
    const iclBars = fig.iclBySourceFigure(m);
    if (iclBars) save("icl-by-source.png", await r.render(iclBars));

    // 04: modifications of the previous-token head.
    const P = m.prevHead;
    const mods = [`scrub-${P}`, `real-${P}`, `beg-${P}`, `zero-${P}`];
    const modRuns = new Map([...runs, ...(await ex.runMany(m, mods, { samples: args.samples }))]);
    save("modifications-recovered.png", await r.render(viz.withTitle(fig.recoveredBars(m, modRuns, mods), `${P}'s pattern edited where it feeds layer 1: % recovered on CANDIDATES — ${tag}`)));
  } finally {
    await r.close();
    m.bundle.model.dispose();
  }
  process.stdout.write(written.join("\n") + "\n");
}

runMain("figures", main);
