/**
 * The ICL score of a model on the evaluation rows, per source of the rows (icl-groups.ts).
 *
 *   pnpm icl-by-source [--model weights/default | --ckpt runs/default/ckpt [--raw]] [--eval weights/default/eval.u16]
 *                      [--rows N] [--json OUT]
 *
 * --ckpt reads a training checkpoint: its moving average when the run keeps one, its last weights with --raw.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { HookedTransformer, inContextLearningScore, initBackend, loadModel, parseConfig, readTokenDataset, rowSourceNames } from "@isc/core";
import { iclBreakdown, iclTable } from "@isc/train";

const USAGE = "usage: pnpm icl-by-source [--model DIR | --ckpt DIR [--raw]] [--eval PATH] [--rows N] [--json OUT]";
const fail = (msg: string): never => {
  console.error(`icl-by-source: ${msg}\n${USAGE}`);
  process.exit(2);
};
const values = (() => {
  try {
    return parseArgs({
      options: {
        model: { type: "string" },
        ckpt: { type: "string" },
        raw: { type: "boolean", default: false },
        eval: { type: "string", default: "weights/default/eval.u16" },
        rows: { type: "string" },
        json: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    return fail((e as Error).message);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values.model && values.ckpt) fail("give --model or --ckpt, not both");
if (values.raw && !values.ckpt) fail("--raw applies to --ckpt only");
if (!existsSync(values.eval)) fail(`no evaluation rows at ${values.eval}`);

await initBackend({ quiet: true });
let model: HookedTransformer;
let what: string;
if (values.ckpt) {
  const statePath = path.join(values.ckpt, "state.json");
  if (!existsSync(statePath)) fail(`no checkpoint in ${values.ckpt} (expected state.json)`);
  const state = JSON.parse(readFileSync(statePath, "utf8"));
  const file = path.join(values.ckpt, state.hyper?.ema && !values.raw ? "ema.safetensors" : "params.safetensors");
  if (!existsSync(file)) fail(`no ${file}`);
  model = HookedTransformer.fromSafetensors(parseConfig(state.config), readFileSync(file), file);
  what = `${file} (step ${state.step})`;
} else {
  const dir = values.model ?? "weights/default";
  if (!existsSync(path.join(dir, "model.safetensors"))) fail(`no model in ${dir} (expected config.json and model.safetensors)`);
  model = await loadModel(dir);
  what = dir;
}
const ds = readTokenDataset(values.eval);
const rows = values.rows === undefined ? ds.rows : Number(values.rows);
if (!(Number.isInteger(rows) && rows > 0 && rows <= ds.rows)) fail(`--rows must be a whole number in 1..${ds.rows}, got ${values.rows}`);
const sources = rowSourceNames(ds.meta, rows) ?? fail(`${values.eval}: its .json names no row sources (row_source); rebuild it with \`pnpm build-corpus\``);
const t0 = performance.now();
const icl = await inContextLearningScore(model, { data: ds.tokens.subarray(0, rows * ds.width), batch: rows, width: ds.width });
model.dispose();
const breakdown = iclBreakdown(icl.perRow, sources.names, sources.register);
console.log(`ICL score by source: ${what} on ${rows} rows of ${values.eval} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
console.log(`mean loss over all positions ${icl.meanLoss.toFixed(3)}, ICL score ${icl.score.toFixed(3)}\n`);
console.log(iclTable(breakdown));
if (values.json) writeFileSync(values.json, JSON.stringify({ model: what, eval: values.eval, rows, mean_loss: icl.meanLoss, ...breakdown }, null, 2) + "\n");
