#!/usr/bin/env node
/**
 * `pnpm training-curve [--log runs/default/log.jsonl] [--out weights/default/training-curve.png]`:
 * the default model's training curve for its card: train loss (EMA) and held-out loss against
 * tokens seen, the loss on the second copy of repeated random tokens (also for the weight average,
 * when the run keeps one), and the detector scores (best layer-0 previous-token head, best layer-1
 * induction head) on a second axis. Rendered with Debian's Chromium like the other figures.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Command, parseOrHelp, runMain } from "@isc/node";
import { PngRenderer } from "@isc/notebooks/render-png";
import type { PlotlyFigure } from "@isc/viz";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../..");

const COMMAND = {
  name: "training-curve",
  summary: "The default model's training curve for its card, from the run's log, rendered to PNG.",
  flags: {
    log: { type: "string", arg: "PATH", help: "the run's log (default runs/default/log.jsonl)" },
    out: { type: "string", arg: "PATH", help: "the PNG (default weights/default/training-curve.png)" },
  },
} as const satisfies Command;

interface Rec {
  type: string;
  step: number;
  tokens: number;
  loss_ema?: number;
  heldout_loss?: number;
  rep_loss_second?: number;
  prev_token_l0?: number[];
  induction_last?: number[];
}

/** Train and held-out loss, second-copy loss and the best detector scores against tokens seen. */
function curveFigure(recs: Rec[]): PlotlyFigure {
  const train = recs.filter((r) => r.type === "train" && r.step % 10 === 0);
  const evals = recs.filter((r) => r.type === "eval");
  const emaEvals = recs.filter((r) => r.type === "eval_ema");
  const M = (t: number) => t / 1e6;
  const line = (name: string, x: number[], y: number[], yaxis = "y", dash?: string) => ({
    type: "scatter",
    mode: "lines",
    name,
    x,
    y,
    yaxis,
    line: dash ? { dash } : undefined,
  });
  const fig = {
    data: [
      line("train loss (EMA)", train.map((r) => M(r.tokens)), train.map((r) => r.loss_ema ?? Number.NaN)),
      line("held-out loss", evals.map((r) => M(r.tokens)), evals.map((r) => r.heldout_loss ?? Number.NaN)),
      line("loss on the 2nd copy of repeated random tokens", evals.map((r) => M(r.tokens)), evals.map((r) => r.rep_loss_second ?? Number.NaN)),
      ...(emaEvals.length ? [line("2nd-copy loss, weight average", emaEvals.map((r) => M(r.tokens)), emaEvals.map((r) => r.rep_loss_second ?? Number.NaN))] : []),
      line("best previous-token score (layer 0)", evals.map((r) => M(r.tokens)), evals.map((r) => Math.max(...(r.prev_token_l0 ?? [Number.NaN]))), "y2", "dot"),
      line("best induction score (layer 1)", evals.map((r) => M(r.tokens)), evals.map((r) => Math.max(...(r.induction_last ?? [Number.NaN]))), "y2", "dash"),
    ],
    layout: {
      title: { text: `Default model training: ${recs[recs.length - 1].step} steps, ${M(recs[recs.length - 1].tokens).toFixed(1)}M tokens` },
      xaxis: { title: { text: "tokens seen (millions)" } },
      yaxis: { title: { text: "loss (nats)" } },
      yaxis2: { title: { text: "head score" }, overlaying: "y", side: "right", range: [0, 1] },
      legend: { orientation: "h", y: -0.25 },
      width: 820,
      height: 440,
      margin: { t: 60, l: 70, r: 70, b: 100 },
    },
  };
  return fig as unknown as PlotlyFigure;
}

runMain("training-curve", async () => {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const logPath = args.flags.log ? path.resolve(args.flags.log) : path.join(root, "runs/default/log.jsonl");
  const out = args.flags.out ? path.resolve(args.flags.out) : path.join(root, "weights/default/training-curve.png");
  const recs = readFileSync(logPath, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Rec);
  const r = await PngRenderer.launch();
  try {
    writeFileSync(out, await r.render(curveFigure(recs)));
  } finally {
    await r.close();
  }
  console.log(`training curve of ${path.relative(root, logPath)} -> ${path.relative(root, out)}`);
});
