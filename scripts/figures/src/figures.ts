#!/usr/bin/env node
/**
 * `pnpm figures [--samples N] [--model auto|default|redwood]`: renders the key figures of the
 * notebooks to PNG in docs/figures/ with Debian's Chromium (playwright-core), from the same code the
 * notebooks run (notebooks/lib), so the README shows what the notebooks show.
 *
 * The notebooks' helper library is loaded from its build output by path: this script is not part of
 * the notebooks package, and its own dependencies (playwright-core, plotly) resolve from there.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

type Figures = typeof import("../../../notebooks/lib/figures.js");
type Model = typeof import("../../../notebooks/lib/model.js");
type Experiments = typeof import("../../../notebooks/lib/experiments.js");
type Render = typeof import("../../../notebooks/lib/render-png.js");
type Viz = typeof import("../../../packages/viz/src/index.js");
type Seed = typeof import("../../../notebooks/lib/seed.js");

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../..");
const load = <T>(rel: string): Promise<T> => import(pathToFileURL(path.join(root, rel)).href) as Promise<T>;

interface Args {
  samples: number;
  model: string;
  out: string;
}

function parse(argv: string[]): Args {
  const a: Args = { samples: 100, model: "auto", out: path.join(root, "docs", "figures") };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === "--samples" && v) (a.samples = Number(v)), i++;
    else if (k === "--model" && v) (a.model = v), i++;
    else if (k === "--out" && v) (a.out = path.resolve(v)), i++;
    else if (k !== "--") throw new Error(`unknown argument ${k}; usage: figures [--samples N] [--model auto|default|redwood] [--out DIR]`);
  }
  if (!Number.isInteger(a.samples) || a.samples < 1) throw new Error("--samples must be a positive integer");
  return a;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  process.chdir(root);
  const fig = await load<Figures>("notebooks/dist/lib/figures.js");
  const mod = await load<Model>("notebooks/dist/lib/model.js");
  const ex = await load<Experiments>("notebooks/dist/lib/experiments.js");
  const { PngRenderer } = await load<Render>("notebooks/dist/lib/render-png.js");
  const viz = await load<Viz>("packages/viz/dist/src/index.js");
  const seed = await load<Seed>("notebooks/dist/lib/seed.js");
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
  const titled = <F extends { layout: Record<string, unknown> }>(f: F, title: string): F => ({ ...f, layout: { ...f.layout, title: { text: title } } });
  try {
    // 01: the preliminary experiments.
    const prelim = ["unscrubbed", "ev", "pth-k", "eq", "all", "baseline", "ev+", "pth-k+", "eq+"];
    const runs = await ex.runMany(m, prelim, { samples: args.samples });
    const scored = prelim.filter((e) => e !== "unscrubbed" && e !== "baseline");
    save("preliminary-recovered.png", await r.render(titled(fig.recoveredBars(m, runs, scored), `% loss recovered on CANDIDATES — ${tag}`)));
    const table = viz.recoveredTableHtml(ex.CATEGORY_LABELS, scored, ex.recoveredOf(runs, scored), {
      caption: `% loss recovered per token category — ${tag} (small: Redwood's model, seed notebook)`,
      reference: Object.fromEntries(scored.map((e) => [e, seed.seedRecovered(e) ?? new Array<number>(9).fill(Number.NaN)])),
      referenceLabel: "Redwood",
      highlight: ["CANDIDATES"],
    });
    save("preliminary-table.png", await r.renderHtml(table, 1100));

    // 02: SAA on one example, and one induction head's attention unscrubbed vs scrubbed.
    const saa = await ex.runMany(m, ["unscrubbed", `scrub-${A}`], { samples: args.samples, idx: IDX });
    save("saa-example.png", await r.renderHtml(fig.saaHtml(m, saa.get("unscrubbed")!, [saa.get(`scrub-${A}`)!], IDX, 140), 1000));
    const att = await ex.runMany(m, ["unscrubbed", `${A}-pth-k+`, `scrub-${A}`], { samples: args.samples, idx: IDX, attention: "pattern" });
    save("induction-head-attention.png", await r.render(titled(fig.headAcrossRuns(m, [...att.values()], A, IDX, 40), `Mean attention of ${A} on example ${IDX}: unscrubbed vs scrubbed — ${tag}`)));

    // 03: position-only attention of layer 0.
    const H = m.bundle.model.cfg.n_heads;
    const names = Array.from({ length: H }, (_, h) => `a0.${h}`);
    const pos = fig.positionalPatterns(m.bundle.model, 50);
    save("layer0-positional.png", await r.render(viz.attentionHeatmap(viz.facetsFromStack(pos, 50, names.map((_, h) => h), names), {
      tokens: Array.from({ length: 50 }, () => ""), columns: 4, panelSize: 250, title: `Position-only attention of the layer-0 heads — ${m.name} model`,
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
    save("modifications-recovered.png", await r.render(titled(fig.recoveredBars(m, modRuns, mods), `${P}'s pattern edited where it feeds layer 1: % recovered on CANDIDATES — ${tag}`)));
  } finally {
    await r.close();
    m.bundle.model.dispose();
  }
  process.stdout.write(written.join("\n") + "\n");
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`figures: ${e.message}\n`);
    process.exit(1);
  },
);
