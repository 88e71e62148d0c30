/**
 * `pnpm token-ranks`: frequency ranks of every token id over an evaluation dataset (rank 0 = most
 * frequent; Laplace-smoothed, ties by id; docs/semantics.md §4), written beside it as
 * token-ranks.json with the dataset's sha256, so "uncommon" (rank ≥ 200) is fixed with the data.
 *
 *   node scripts/dist/src/token-ranks.js [--data weights/default/eval.u16]
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { readTokenDataset } from "@isc/core";
import { type Command, parseOrHelp, runMain } from "@isc/node";
import { tokenFrequencyRanks } from "@isc/scrubbing";

const COMMAND = {
  name: "token-ranks",
  summary: "Frequency ranks of every token id over an evaluation dataset, written beside it as token-ranks.json.",
  flags: { data: { type: "string", arg: "PATH", help: "the evaluation rows (default weights/default/eval.u16)" } },
} as const satisfies Command;

runMain("token-ranks", () => {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const data = args.flags.data ?? "weights/default/eval.u16";
  const ds = readTokenDataset(data);
  const ranks = tokenFrequencyRanks(ds.tokens, ds.meta.vocab);
  const out = path.join(path.dirname(data), "token-ranks.json");
  writeFileSync(out, JSON.stringify({ vocab: ds.meta.vocab, dataset_sha256: ds.meta.sha256, ranks: [...ranks] }) + "\n");
  console.log(`ranks of ${ds.meta.vocab} ids over ${ds.rows} rows -> ${out}`);
});
