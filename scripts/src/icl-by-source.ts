/**
 * The ICL score of a model on the evaluation rows, per source of the rows (@isc/train's iclBySource).
 *
 *   pnpm icl-by-source [--model weights/default | --ckpt runs/default/ckpt [--raw]] [--eval weights/default/eval.u16]
 *                      [--rows N] [--json OUT]
 *
 * --ckpt reads a training checkpoint: its moving average when the run keeps one, its last weights with --raw.
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type HookedTransformer, initBackend, loadModel, readTokenDataset, UsageError } from "@isc/core";
import { type Command, parseOrHelp, runMain } from "@isc/node";
import { iclBySource, iclTable, loadCheckpointModel } from "@isc/train";

const COMMAND = {
  name: "icl-by-source",
  summary: "The ICL score (loss at positions 200–299 minus 10–49) of a model on the evaluation rows, per source of the rows.",
  flags: {
    model: { type: "string", arg: "DIR", help: "model bundle (default weights/default)" },
    ckpt: { type: "string", arg: "DIR", help: "a training checkpoint instead: its moving average when the run keeps one" },
    raw: { type: "boolean", help: "with --ckpt: its last step's weights, not the average" },
    eval: { type: "string", arg: "PATH", help: "evaluation rows with row sources (default weights/default/eval.u16)" },
    rows: { type: "int", min: 1, help: "the first N rows (default all)" },
    json: { type: "string", arg: "OUT", help: "also write the breakdown as JSON" },
  },
} as const satisfies Command;

async function openModel(f: { model?: string; ckpt?: string; raw?: boolean }): Promise<{ model: HookedTransformer; what: string }> {
  if (f.ckpt) {
    const { model, file, state } = loadCheckpointModel(f.ckpt, { raw: f.raw });
    return { model, what: `${file} (step ${state.step})` };
  }
  const dir = f.model ?? "weights/default";
  if (!existsSync(path.join(dir, "model.safetensors"))) throw new UsageError(`no model in ${dir} (expected config.json and model.safetensors)`);
  return { model: await loadModel(dir), what: dir };
}

runMain("icl-by-source", async () => {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const f = args.flags;
  if (f.model && f.ckpt) throw new UsageError("give --model or --ckpt, not both");
  if (f.raw && !f.ckpt) throw new UsageError("--raw applies to --ckpt only");
  const evalPath = f.eval ?? "weights/default/eval.u16";
  if (!existsSync(evalPath)) throw new UsageError(`no evaluation rows at ${evalPath}`);
  await initBackend({ quiet: true });
  const { model, what } = await openModel(f);
  const ds = readTokenDataset(evalPath);
  const rows = f.rows ?? ds.rows;
  if (rows > ds.rows) throw new UsageError(`--rows must be a whole number in 1..${ds.rows}, got ${rows}`);
  const t0 = performance.now();
  const { icl, breakdown } = await iclBySource(model, ds, rows, evalPath);
  model.dispose();
  console.log(`ICL score by source: ${what} on ${rows} rows of ${evalPath} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  console.log(`mean loss over all positions ${icl.meanLoss.toFixed(3)}, ICL score ${icl.score.toFixed(3)}\n`);
  console.log(iclTable(breakdown));
  if (f.json) writeFileSync(f.json, JSON.stringify({ model: what, eval: evalPath, rows, mean_loss: icl.meanLoss, ...breakdown }, null, 2) + "\n");
});
