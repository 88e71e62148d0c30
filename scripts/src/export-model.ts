/**
 * `pnpm export-model`: turns a training checkpoint into the model bundle the experiments use
 * (weights/default): config.json, model.safetensors, card.json and card.md, with head roles found by
 * @isc/scrubbing's analyseHeadRoles (packages/scrubbing/src/head-role-analysis.ts says how) rather
 * than copied from Redwood's model (@isc/train's exportModel).
 *
 *   node scripts/dist/src/export-model.js --ckpt runs/default/ckpt --out weights/default [--samples 64] [--interim] [--icl-rows N|all]
 */
import { initBackend, UsageError } from "@isc/core";
import { type Command, parseOrHelp, runMain } from "@isc/node";
import { exportModel } from "@isc/train";

const COMMAND = {
  name: "export-model",
  summary: "A training checkpoint → the model bundle the experiments use, with its card and head roles.",
  flags: {
    ckpt: { type: "string", arg: "DIR", help: "the checkpoint (default runs/default/ckpt)" },
    out: { type: "string", arg: "DIR", help: "the bundle, holding eval.u16 and induction-candidates.json (default weights/default)" },
    samples: { type: "int", min: 1, help: "rows per path-attribution scrub (default 64)" },
    interim: { type: "boolean", help: "mark the model as partly trained" },
    "acceptance-samples": { type: "int", min: 1, help: "rows of the acceptance check's scrubs (default 200)" },
    "icl-rows": { type: "string", arg: "N|all", help: "eval rows of the ICL score (default all)" },
    raw: { type: "boolean", help: "export the last step's weights even when the run keeps a moving average" },
  },
} as const satisfies Command;

function iclRows(v: string | undefined): number | "all" {
  if (v === undefined || v === "all") return "all";
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`--icl-rows must be a positive whole number or "all", got ${v}`);
  return n;
}

runMain("export-model", async () => {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const f = args.flags;
  const rows = iclRows(f["icl-rows"]);
  await initBackend();
  const r = await exportModel({
    ckpt: f.ckpt ?? "runs/default/ckpt",
    out: f.out ?? "weights/default",
    samples: f.samples,
    acceptanceSamples: f["acceptance-samples"],
    iclRows: rows,
    interim: f.interim,
    raw: f.raw,
  });
  console.log(JSON.stringify(r));
});
