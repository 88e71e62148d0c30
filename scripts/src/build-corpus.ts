/**
 * Builds the training corpus and the evaluation dataset from pinned offline sources (@isc/corpus's
 * buildCorpus says what it writes).
 *
 *   pnpm build-corpus [--out data/corpus] [--eval-out weights/default] [--cache data/cache] [--seed 1]
 *                     [--max-tokens N] [--k 8192] [--eval-rows 10000] [--eval-natural-share 0.5]
 *                     [--held-out-fraction 0.05] [--only sotu,brown] [--allow-drift]
 */
import { resolve } from "node:path";
import { buildCorpus } from "@isc/corpus";
import { type Command, parseOrHelp, runMain } from "@isc/node";

const COMMAND = {
  name: "build-corpus",
  summary: "Builds the training corpus and the evaluation rows from pinned offline sources; re-running gives identical files.",
  flags: {
    out: { type: "string", arg: "DIR", help: "train.u16 and valid.u16 (default data/corpus)" },
    "eval-out": { type: "string", arg: "DIR", help: "eval.u16 and tokenizer.json (default weights/default)" },
    cache: { type: "string", arg: "DIR", help: "download cache (default data/cache)" },
    seed: { type: "int", help: "split, order and cap seed (default 1)" },
    "max-tokens": { type: "int", help: "cut the training rows to this many text tokens (default all)" },
    k: { type: "int", help: "GPT-2 ids the truncated tokenizer keeps (default 8192)" },
    "eval-rows": { type: "int", help: "evaluation rows (default 10000)" },
    "eval-natural-share": { type: "float", help: "share of them from natural English (default 0.5)" },
    "held-out-fraction": { type: "float", help: "share of each source's documents held out (default 0.05)" },
    only: { type: "string", arg: "A,B", help: "only these sources, comma-separated (default all)" },
    "allow-drift": { type: "boolean", help: "use a Debian package whose served version differs from its pin" },
  },
} as const satisfies Command;

runMain("build-corpus", () => {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const f = args.flags;
  buildCorpus({
    out: resolve(f.out ?? "data/corpus"),
    evalOut: resolve(f["eval-out"] ?? "weights/default"),
    cache: resolve(f.cache ?? "data/cache"),
    seed: f.seed ?? 1,
    maxTokens: f["max-tokens"],
    k: f.k ?? 8192,
    evalRows: f["eval-rows"] ?? 10000,
    naturalShare: f["eval-natural-share"] ?? 0.5,
    heldOutFraction: f["held-out-fraction"] ?? 0.05,
    only: f.only?.split(","),
    allowDrift: f["allow-drift"] ?? false,
  });
});
