/**
 * `pnpm token-ranks`: frequency ranks of every token id over an evaluation dataset (rank 0 = most
 * frequent; Laplace-smoothed, ties by id; docs/semantics.md §4), written beside it as
 * token-ranks.json with the dataset's sha256, so "uncommon" (rank ≥ 200) is fixed with the data.
 *
 *   node scripts/dist/src/token-ranks.js [--data weights/default/eval.u16]
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { readTokenDataset } from "@isc/core";
import { tokenFrequencyRanks } from "@isc/scrubbing";

const { values } = parseArgs({ options: { data: { type: "string", default: "weights/default/eval.u16" } } });
const ds = readTokenDataset(values.data!);
const ranks = tokenFrequencyRanks(ds.tokens, ds.meta.vocab);
const out = path.join(path.dirname(values.data!), "token-ranks.json");
writeFileSync(out, JSON.stringify({ vocab: ds.meta.vocab, dataset_sha256: ds.meta.sha256, ranks: [...ranks] }) + "\n");
console.log(`ranks of ${ds.meta.vocab} ids over ${ds.rows} rows -> ${out}`);
