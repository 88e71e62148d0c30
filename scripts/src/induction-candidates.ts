/**
 * `pnpm induction-candidates`: the good-induction-candidate tokens of a tokenizer and corpus, by the
 * procedure @isc/corpus states (packages/corpus/src/induction-candidates.ts), written as JSON.
 *
 *   node scripts/dist/src/induction-candidates.js [--data data/corpus/train.u16] [--out weights/default/induction-candidates.json]
 */
import { writeFileSync } from "node:fs";
import { readTokenDataset, UsageError } from "@isc/core";
import { candidatesFile, inductionCandidates } from "@isc/corpus";
import { type Command, parseOrHelp, runMain } from "@isc/node";

const COMMAND = {
  name: "induction-candidates",
  summary: "The tokens whose earlier occurrence predicts the next token (hard induction) often enough: the CANDIDATES category.",
  flags: {
    data: { type: "string", arg: "PATH", help: "training rows (default data/corpus/train.u16)" },
    out: { type: "string", arg: "PATH", help: "where to write (default weights/default/induction-candidates.json)" },
    "min-count": { type: "int", min: 1, help: "repeated-token positions a candidate needs (default 20)" },
    "min-hit": { type: "float", help: "share of them hard induction must get right, in (0, 1] (default 0.6)" },
  },
} as const satisfies Command;

runMain("induction-candidates", () => {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const f = args.flags;
  const data = f.data ?? "data/corpus/train.u16";
  const out = f.out ?? "weights/default/induction-candidates.json";
  const o = { minCount: f["min-count"] ?? 20, minHit: f["min-hit"] ?? 0.6 };
  if (!(o.minHit > 0 && o.minHit <= 1)) throw new UsageError(`--min-hit must be in (0, 1], got ${o.minHit}`);
  const ds = readTokenDataset(data);
  const t0 = performance.now();
  const c = inductionCandidates(ds, o);
  writeFileSync(out, JSON.stringify(candidatesFile(data, ds, o, c)) + "\n");
  const V = ds.meta.vocab;
  console.log(
    `${c.ids.length} candidates of ${V} ids (${((100 * c.ids.length) / V).toFixed(1)}%); they cover ${((100 * c.covered) / c.repeated).toFixed(1)}% of repeated-token positions; ${((performance.now() - t0) / 1000).toFixed(1)}s -> ${out}`,
  );
});
